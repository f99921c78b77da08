package dev.lathe.tui;

import dev.lathe.io.AtomicFiles;
import dev.lathe.term.Images;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;

/**
 * NOT TRAINING: a generator of a plausible run (a decaying noisy loss, warm-up then cosine LR, memory, a sample
 * picture every 50 steps, log lines) for trying the console before a job exists ({@code lathe console --synthetic}),
 * for the tmux end-to-end test and for measuring the console's cost. It answers the controls like a job would:
 * pause, resume, stop (after a "checkpoint"), save now and sample now.
 */
public final class SyntheticFeed implements JobControls, AutoCloseable {
  private static final String[] PROMPTS = {"a red fox in fresh snow, morning light", "a lighthouse on a cliff at dusk"};

  private final MonitorFeed feed = new MonitorFeed();
  private final Path samples;
  private final long total;
  private final double stepsPerSecond;
  private final Thread thread;
  private final Random rnd = new Random(42);
  private volatile boolean paused;
  private volatile boolean stopAsked;
  private volatile boolean sampleAsked;
  private volatile boolean saveAsked;
  private volatile boolean closed;

  /**
   * @param samples        folder for the sample pictures (created)
   * @param total          steps of the run
   * @param stepsPerSecond pace
   */
  public SyntheticFeed(Path samples, long total, double stepsPerSecond) {
    this.samples = samples;
    this.total = total;
    this.stepsPerSecond = stepsPerSecond;
    feed.job("synthetic-demo", total, JobState.RUNNING, samples.getParent());
    feed.log(time() + " INFO synthetic run: no model, no training; a stand-in to try the console");
    thread = new Thread(this::loop, "lathe-synthetic");
    thread.setDaemon(true);
    thread.start();
  }

  public MonitorSource source() {
    return feed;
  }

  private void loop() {
    long step = 0;
    long sleepNanos = (long) (1e9 / stepsPerSecond);
    long next = System.nanoTime();
    try {
      while (!closed && step < total) {
        next += sleepNanos;
        long wait = next - System.nanoTime();
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        if (paused) {
          next = System.nanoTime();
          continue;
        }
        step++;
        double loss = 0.45 * Math.exp(-step / 300.0) + 0.08 + 0.03 * rnd.nextGaussian() * Math.exp(-step / 2000.0);
        double warm = Math.min(1, step / 50.0);
        double lr = 1e-4 * warm * 0.5 * (1 + Math.cos(Math.PI * step / total));
        feed.step(step, Math.max(0.001, loss), lr, stepsPerSecond * (0.95 + 0.1 * rnd.nextDouble()));
        long rss = 2_100_000_000L + step * 10_000L;
        feed.memory(new MonitorSnapshot.Memory(rss, rss + 150_000_000L, 64_000_000_000L, false));
        if (step % 10 == 0) feed.log(time() + String.format(Locale.ROOT, " INFO step %d loss %.4f lr %.2e", step, loss, lr));
        if (step % 50 == 0 || step == 1 || sampleAsked) {
          sampleAsked = false;
          for (int p = 0; p < PROMPTS.length; p++) {
            Path png = samples.resolve(String.format(Locale.ROOT, "%09d_%d.png", step, p));
            AtomicFiles.write(png, Images.png(picture(step, p)));
            feed.sample(p, PROMPTS[p], step, png);
          }
          feed.log(time() + " INFO samples written for step " + step);
        }
        if (saveAsked || step % 250 == 0) {
          saveAsked = false;
          feed.log(time() + " INFO saved checkpoint synthetic-demo_" + String.format("%09d", step) + ".safetensors");
        }
        if (stopAsked) {
          feed.state(JobState.STOPPING, null);
          feed.log(time() + " INFO stop asked: saving, then stopping");
          Thread.sleep(300);
          feed.state(JobState.STOPPED, "stopped at step " + step);
          feed.log(time() + " INFO stopped at step " + step);
          return;
        }
      }
      if (!closed) {
        feed.state(JobState.FINISHED, "finished " + total + " steps");
        feed.log(time() + " INFO finished");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      feed.state(JobState.FAILED, "cannot write samples: " + e.getMessage());
    }
  }

  /** A picture that changes with the step, so the preview visibly moves. */
  static BufferedImage picture(long step, int prompt) {
    int w = 256, h = 256;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    Color top = prompt == 0 ? new Color(170, 200, 235) : new Color(40, 40, 90);
    Color bottom = prompt == 0 ? new Color(245, 245, 250) : new Color(230, 120, 60);
    g.setPaint(new GradientPaint(0, 0, top, 0, h, bottom));
    g.fillRect(0, 0, w, h);
    double t = Math.min(1, step / 500.0);
    g.setColor(prompt == 0 ? new Color(200, 80, 30) : new Color(240, 240, 220));
    int x = (int) (40 + 150 * t), y = prompt == 0 ? 150 : 60;
    g.fillOval(x, y, 60, 60);
    g.setColor(new Color(30, 30, 30));
    g.fillRect(0, h - 30, w, 30);
    g.dispose();
    return img;
  }

  private static String time() {
    return LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss"));
  }

  @Override
  public void stop() {
    if (!feed.snapshot().state().active()) throw new IllegalStateException("the run is not active");
    stopAsked = true;
    if (paused) resume();
  }

  @Override
  public void pause() {
    paused = true;
    feed.state(JobState.PAUSED, null);
    feed.log(time() + " INFO paused");
  }

  @Override
  public void resume() {
    paused = false;
    feed.state(JobState.RUNNING, null);
    feed.log(time() + " INFO resumed");
  }

  @Override
  public void saveNow() {
    saveAsked = true;
  }

  @Override
  public void sampleNow() {
    sampleAsked = true;
  }

  @Override
  public boolean inProcess() {
    return true;
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
