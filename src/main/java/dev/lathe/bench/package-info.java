/**
 * {@code lathe bench}: fixed model sizes, the files shared with the PyTorch reference in {@code scripts/bench}, and
 * the measurements of a LoRA training step ({@link dev.lathe.bench.TrainBench}, which runs
 * {@link dev.lathe.train.TrainLoop}'s own step) and of sampling steps ({@link dev.lathe.bench.SampleBench}).
 * Results are maps in the JSON shape that {@code scripts/bench/README.md} defines; nothing here asserts on time.
 */
package dev.lathe.bench;
