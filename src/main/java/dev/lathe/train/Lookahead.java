package dev.lathe.train;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;

/**
 * The next step's inputs, prepared on a helper thread while this step's backward runs: its batch, its noise, and the
 * denoiser's frozen front (the layers no adapter reaches). On the CPU the backward keeps one core busy and leaves the
 * others idle between its parallel kernels, so the front costs the step little there.
 *
 * <p>The helper runs at normal priority. In the idle scheduling class (or at nice 19) it took less from the backward
 * on an idle machine, but beside another busy process it then hardly ran at all, and the training thread, which
 * needs its result, waited: a small bench step took 18.8 s instead of 0.14 s.
 *
 * <p>Correctness rests on three facts. The front reads only frozen weights, which no optimizer step changes. Every
 * random draw of a step comes from streams derived from (seed, step, micro-batch), not from the order of the calls.
 * The data stream's position before the look-ahead is kept, so a checkpoint taken while a look-ahead is pending
 * records the position of the next unconsumed batch, and a look-ahead that is not used is undone.
 *
 * <p>Native handles: the helper works in its own PointerScope and hands the scope over with the result; the
 * training thread closes it when the step that used the result ends.
 */
final class Lookahead {
  /** One helper thread for every loop in the process; daemon, so it never keeps the JVM alive. */
  private static final ExecutorService HELPER = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "lathe-lookahead");
    t.setDaemon(true);
    return t;
  });

  /** A finished look-ahead: what it prepared for {@code step}, and the scope that owns its tensors. */
  record Done<T>(long step, T value, PointerScope scope) implements AutoCloseable {
    @Override
    public void close() {
      scope.close();
    }
  }

  private final BatchSource data;
  private Future<Done<Object>> pending;
  private String dataBefore;   // the data position before the pending look-ahead drew its batch

  Lookahead(BatchSource data) {
    this.data = data;
  }

  /** Starts preparing step {@code step} with {@code work}, which may call {@code data.next()}. */
  void start(long step, Supplier<?> work) {
    cancel();
    dataBefore = data.state();
    pending = HELPER.submit(() -> {
      PointerScope scope = new PointerScope();
      try {
        Object value = work.get();
        scope.extend();   // the close below then only leaves this thread; the pointers stay with the scope
        return new Done<>(step, value, scope);
      } finally {
        scope.close();
      }
    });
  }

  /**
   * The look-ahead for {@code step}, waiting for it if it still runs; null when there is none, it was for another
   * step or it failed (the data stream is then put back, and the caller prepares the step itself, meeting the same
   * error, if any, on its own thread). The caller closes the result when the step ends.
   */
  @SuppressWarnings("unchecked")
  <T> Done<T> take(long step) {
    if (pending == null) return null;
    Done<Object> d = await();
    pending = null;
    if (d != null && d.step() == step) return (Done<T>) d;
    if (d != null) d.close();
    data.restore(dataBefore);
    return null;
  }

  /**
   * Waits for a pending look-ahead without taking it (before a checkpoint or a preview uses the model or the data
   * stream) and returns the data position a checkpoint must record: the one before the look-ahead's batch.
   */
  String dataState() {
    if (pending == null) return data.state();
    await();
    return dataBefore;
  }

  /** Drops a pending look-ahead and puts the data stream back where it was before it. */
  void cancel() {
    if (pending == null) return;
    Done<Object> d = await();
    pending = null;
    if (d != null) d.close();
    data.restore(dataBefore);
  }

  private Done<Object> await() {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return pending.get();
        } catch (InterruptedException e) {
          interrupted = true;   // the helper must finish before the model or the data stream is touched again
        } catch (ExecutionException e) {
          return null;
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }
}
