package dev.lathe.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of {@code metrics.jsonl}: what a step measured. Unknown values are null (e.g. VRAM on the CPU is
 * process RSS and {@code vramTotal} physical RAM).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Metrics(
    @JsonProperty("step") long step,
    @JsonProperty("loss") Double loss,
    @JsonProperty("loss_preservation") Double lossPreservation,
    @JsonProperty("lr") Double lr,
    @JsonProperty("grad_norm") Double gradNorm,
    @JsonProperty("it_s") Double itPerSec,
    @JsonProperty("vram_used") Long vramUsed,
    @JsonProperty("vram_peak") Long vramPeak,
    @JsonProperty("vram_total") Long vramTotal,
    @JsonProperty("phase") String phase,
    @JsonProperty("time") Long epochMillis) {

  public static Metrics step(long step, double loss, double lr, double gradNorm, double itPerSec, long used, long peak, long total) {
    return new Metrics(step, loss, null, lr, gradNorm, itPerSec, used, peak, total, "train", System.currentTimeMillis());
  }

  public static Metrics phase(long step, String phase) {
    return new Metrics(step, null, null, null, null, null, null, null, null, phase, System.currentTimeMillis());
  }

  public Metrics withPreservation(double l) {
    return new Metrics(step, loss, l, lr, gradNorm, itPerSec, vramUsed, vramPeak, vramTotal, phase, epochMillis);
  }
}
