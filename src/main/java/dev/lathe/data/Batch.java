package dev.lathe.data;

import java.util.List;

/**
 * Images drawn together: all from one dataset and one bucket, so their pixels stack into one tensor.
 *
 * @param dataset index of the dataset in the list the data was opened with
 * @param epoch the dataset's epoch this batch belongs to (0-based)
 */
public record Batch(int dataset, boolean regularization, int epoch, Bucket bucket, List<Sample> samples) {
  public Batch {
    samples = List.copyOf(samples);
  }

  public int size() {
    return samples.size();
  }

  /** The final captions, in sample order. */
  public List<String> captions() {
    return samples.stream().map(Sample::caption).toList();
  }
}
