{{ band_distribution(by_segment=false) }}
