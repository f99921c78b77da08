package dev.lathe.data;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;

/**
 * Where the batch sampler stands: enough to make a resumed run draw exactly the batches an uninterrupted run
 * would. A few numbers per dataset; saved with each checkpoint as JSON.
 *
 * @param seed the run's data seed (epoch orders and dropout derive from it)
 * @param main generator state of the training-batch stream (which dataset comes next)
 * @param regularization generator state of the regularization stream
 * @param streams one entry per dataset, in the order the data was opened with
 */
public record SamplerState(int version, long seed, long main, long regularization, List<Stream> streams) {
  public static final int VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * @param folder the dataset folder, absolute
   * @param fingerprint a hash of the dataset's draw list (files, buckets, flips, batch size): if it differs on
   *     restore, the folder changed since the state was saved
   * @param epoch the epoch in progress
   * @param cursor batches of that epoch already drawn
   */
  public record Stream(String folder, String fingerprint, int epoch, int cursor) {}

  public SamplerState {
    streams = List.copyOf(streams);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** @throws IOException if {@code json} is not a sampler state of a version this build reads */
  public static SamplerState fromJson(String json) throws IOException {
    SamplerState s = JSON.readValue(json, SamplerState.class);
    if (s.version() != VERSION) throw new IOException("sampler state version " + s.version() + " is not " + VERSION);
    if (s.streams() == null) throw new IOException("sampler state has no streams");
    return s;
  }
}
