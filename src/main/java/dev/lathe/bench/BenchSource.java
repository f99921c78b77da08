package dev.lathe.bench;

import java.nio.file.Path;

/**
 * Where a bench's model and inputs come from, and what it runs on.
 *
 * @param weights a weights file written by {@code lathe bench export} (or any Z-Image checkpoint of the inputs'
 *     config), or null for random weights from {@code seed}
 * @param inputs an inputs file, or null to draw the inputs of {@code size} from {@code seed + 1}
 * @param size the size when there is no inputs file
 * @param device cpu, cuda, cuda:N or auto
 * @param dtype fp32, bf16 or fp16, or null for the device's default
 * @param threads intra-op threads, 0 for every core
 * @param blasThreads OpenBLAS threads, 0 for Lathe's default (see {@link dev.lathe.torch.Blas})
 */
public record BenchSource(Path weights, Path inputs, BenchSize size, long seed, String device, String dtype, int threads, int blasThreads) {}
