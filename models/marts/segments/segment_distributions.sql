{{ band_distribution(by_segment=true) }}
