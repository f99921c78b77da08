/**
 * The dataset pipeline: what the model learns from.
 *
 * <p>{@link dev.lathe.data.DatasetScanner} looks at a folder (images with {@code .txt} captions or a
 * {@code metadata.jsonl}) and returns a {@link dev.lathe.data.ScanReport}; {@link dev.lathe.data.Buckets} places
 * each image at each resolution it fills; {@link dev.lathe.data.Captions} holds the caption, dropout and trigger
 * rules; {@link dev.lathe.data.Images} decodes any supported image to upright sRGB.
 * {@link dev.lathe.data.TrainingData} puts it together for the trainer: built from {@link dev.lathe.data.DatasetSpec}s
 * and {@link dev.lathe.data.DataOptions}, it draws {@link dev.lathe.data.Batch}es in a deterministic order that
 * saves and restores as a {@link dev.lathe.data.SamplerState}, and serves pixels, latents and text embeddings
 * through an in-memory cache and on-disk caches keyed by content. {@link dev.lathe.data.CachePrune} cleans the
 * disk caches. The package knows models only through {@link dev.lathe.models.LatentCodec} and
 * {@link dev.lathe.models.TextEncoder}. docs/DATASETS.md describes the rules for users.
 */
package dev.lathe.data;
