"""Developer tools: the benchmark, the quality sweep, planted data, the seed generator."""
