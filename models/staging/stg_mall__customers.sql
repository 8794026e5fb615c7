-- depends_on: {{ ref('mall_customers') }}
{#- The depends_on line makes the seed load before this model reads it through the
    source (a source alone puts no seed in the DAG). -#}
{%- set age_min = number_var('plausible_age_min', 0, 150) -%}
{%- set age_max = number_var('plausible_age_max', age_min, 150) %}
{%- set input_rows_sql = customer_input_rows(customers_input()) %}
{%- set ids_may_repeat = customer_ids_may_repeat(input_rows_sql) %}

with

input_rows as {{ not_materialized() }} (
    {{ input_rows_sql | indent(4) }}
),

parsed as (
    select
        *,
        {#- Whole ids are read as integers too: a double holds them exactly only up to
            2^53, and 18-digit ids exist. #}
        try_cast(raw_customer_id as {{ dbt.type_bigint() }}) as customer_id_integer,
        {{ try_cast_double('raw_customer_id') }} as customer_id_number,
        {{ try_cast_double('raw_age') }} as age_number,
        {{ try_cast_double('raw_annual_income') }} as annual_income_number,
        {{ try_cast_double('raw_spending_score') }} as spending_score_number,
        case
            when lower(raw_gender) in ('female', 'f', 'woman', 'w') then 'Female'
            when lower(raw_gender) in ('male', 'm', 'man') then 'Male'
            when lower(raw_gender) in (
                'other', 'non-binary', 'nonbinary', 'non binary', 'diverse', 'x'
            ) then 'Other'
        end as normalised_gender
    from input_rows
),

field_problems as (
    select
        *,
        case
            when raw_customer_id is null then 'missing customer id'
            when customer_id_number is null
                or not {{ is_finite_number('customer_id_number') }}
                then 'customer id is not a number: "'
                    || left({{ as_text('raw_customer_id') }}, 40) || '"'
            {#- 0 is an id like any other (ids numbered from 0 are common). #}
            when customer_id_number != floor(customer_id_number)
                or customer_id_number < 0
                then 'customer id is not a whole number of 0 or more: '
                    || {{ as_text('raw_customer_id') }}
            {#- Not readable as a 64-bit integer (beyond 64 bits, or a form the engine
                reads only as a double) and past 2^53, where the double has lost
                digits. #}
            when customer_id_integer is null
                and customer_id_number >= 9007199254740992
                then 'customer id is too large to read exactly: '
                    || left({{ as_text('raw_customer_id') }}, 40)
        end as customer_id_problem,
        case
            when raw_gender is null then 'missing gender'
            when normalised_gender is null
                then 'unrecognised gender: "' || left(raw_gender, 40) || '"'
        end as gender_problem,
        case
            when raw_age is null then 'missing age'
            when age_number is null or not {{ is_finite_number('age_number') }}
                then 'age is not a number: "' || left({{ as_text('raw_age') }}, 40) || '"'
            when age_number < {{ age_min }} or age_number > {{ age_max }}
                then 'age outside the plausible range {{ age_min }}-{{ age_max }}: '
                    || {{ as_text('raw_age') }}
        end as age_problem,
        case
            when raw_annual_income is null then 'missing annual income'
            when annual_income_number is null
                or not {{ is_finite_number('annual_income_number') }}
                then 'annual income is not a number: "'
                    || left({{ as_text('raw_annual_income') }}, 40) || '"'
            when annual_income_number < 0
                then 'annual income is negative: ' || {{ as_text('raw_annual_income') }}
        end as annual_income_problem,
        case
            when raw_spending_score is null then 'missing spending score'
            when spending_score_number is null
                or not {{ is_finite_number('spending_score_number') }}
                then 'spending score is not a number: "'
                    || left({{ as_text('raw_spending_score') }}, 40) || '"'
            when spending_score_number < 1 or spending_score_number > 100
                then 'spending score outside 1-100: '
                    || {{ as_text('raw_spending_score') }}
        end as spending_score_problem
    from parsed
),

typed as {{ not_materialized() }} (
    select
        input_row_number,
        raw_customer_id,
        raw_gender,
        raw_age,
        raw_annual_income,
        raw_spending_score,
        case
            when customer_id_problem is null
                then coalesce(customer_id_integer, cast(customer_id_number as bigint))
        end as customer_id,
        case when gender_problem is null then normalised_gender end as gender,
        {#- A fractional age or spending score (30.5, 47.25: a computed score, an age
            in years and months) is a usable value, rounded to the nearest whole number
            as both are whole by definition, and the row is flagged, not rejected. The
            range is checked on the value as given. #}
        case when age_problem is null then cast(round(age_number) as integer) end as age,
        case when annual_income_problem is null then annual_income_number end
            as annual_income,
        case
            when spending_score_problem is null
                then cast(round(spending_score_number) as integer)
        end as spending_score,
        {#- Duplicates compare the values as given, not as rounded. #}
        age_number,
        spending_score_number,
        {#- Never null: with no problem found the number is there and finite. #}
        (age_problem is null and age_number != floor(age_number))
        or (
            spending_score_problem is null
            and spending_score_number != floor(spending_score_number)
        ) as has_rounded_value,
        nullif(
            concat_ws(
                '; ',
                customer_id_problem,
                gender_problem,
                age_problem,
                annual_income_problem,
                spending_score_problem
            ),
            ''
        ) as value_problems
    from field_problems
),

{%- if ids_may_repeat %}

{#- Duplicates are judged among rows whose values are all usable: the same id with
    different values is a conflict (every copy is quarantined: which one is right is
    unknowable); the same id with the same values is one customer loaded twice. Most
    inputs repeat no id, so the repeated ids are found first by counting alone (the
    narrowest aggregate over every id: at ten million customers 1.8 s less than one
    that also carries each id's first row and value hashes), then only their rows are
    compared, by a 64-bit hash of the values (a collision would need two different
    rows of one id to hash alike: about one chance in 10^19). -#}
repeated_ids as (
    select customer_id
    from typed
    where value_problems is null
    group by customer_id
    having count(*) > 1
),

repeated_customer_ids as (
    select
        customer_id,
        count(*) as copies_of_customer_id,
        min(input_row_number) as first_input_row_number,
        min(values_hash) != max(values_hash) as has_conflicting_values
    from (
        select
            customer_id,
            input_row_number,
            {{ values_hash(['gender', 'age_number', 'annual_income', 'spending_score_number']) }}
                as values_hash
        from typed
        where value_problems is null
            and customer_id in (select customer_id from repeated_ids)
    ) as repeated_rows
    group by customer_id
),

verdicts as (
    select
        typed.*,
        coalesce(
            typed.value_problems,
            case
                when repeated_customer_ids.has_conflicting_values
                    then 'conflicting duplicate: customer id '
                        || cast(typed.customer_id as {{ dbt.type_string() }})
                        || ' appears '
                        || cast(repeated_customer_ids.copies_of_customer_id
                            as {{ dbt.type_string() }})
                        || ' times with different values'
            end
        ) as rejection_reason,
        coalesce(
            typed.input_row_number != repeated_customer_ids.first_input_row_number,
            false
        ) as is_later_copy
    from typed
    left join repeated_customer_ids
        on typed.customer_id = repeated_customer_ids.customer_id
        and typed.value_problems is null
),
{%- else %}

{#- No two input rows carry the same id (customer_ids_may_repeat): nothing to compare,
    no copies. #}
verdicts as (
    select
        typed.*,
        typed.value_problems as rejection_reason,
        false as is_later_copy
    from typed
),
{%- endif %}

{#- No raw text: customer_quarantine reads it again for the rejected rows only. At ten
    million customers five mostly-null text columns cost 1.7 s to write here. -#}
final as (
    select
        input_row_number,
        customer_id,
        gender,
        rejection_reason,
        age,
        annual_income,
        spending_score,
        rejection_reason is null and has_rounded_value as has_rounded_value,
        rejection_reason is not null as is_quarantined,
        rejection_reason is null and is_later_copy as is_exact_duplicate
    from verdicts
)

select * from final
