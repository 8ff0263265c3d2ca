"""Building: the build cache, atomic output files and the build clock."""
