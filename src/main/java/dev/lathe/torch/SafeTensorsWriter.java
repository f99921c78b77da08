package dev.lathe.torch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.lathe.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;

/**
 * Builds a safetensors file from named tensors and metadata and writes it atomically (temporary file in the same
 * folder, fsync, rename). The header is padded with spaces to a multiple of 8 so the data starts aligned;
 * tensors are stored widest type first, then by name, as the reference writer orders them.
 */
public final class SafeTensorsWriter {
  private static final long CHUNK = 1L << 28;

  private record Entry(String name, DType dtype, long[] shape, Tensor tensor, byte[] bytes) {
    long size() {
      return tensor != null ? tensor.nbytes() : bytes.length;
    }
  }

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  /**
   * Adds a tensor; it is copied to contiguous CPU memory now, so later changes to {@code t} are not written.
   * The caller keeps ownership of {@code t}.
   */
  public SafeTensorsWriter put(String name, Tensor t) {
    Tensor cpu = t.detach().cpu().contiguous();
    if (Tensors.address(cpu) == Tensors.address(t)) cpu = cpu.clone();   // own a snapshot, never alias the caller
    cpu.retainReference();   // outlives any PointerScope the caller is in until write() returns
    return add(new Entry(name, DType.of(t.scalar_type()), t.sizes().vec().get(), cpu, null));
  }

  /** Adds a tensor given as raw little-endian bytes (any dtype, including packed sub-byte types). */
  public SafeTensorsWriter putRaw(String name, DType dtype, long[] shape, byte[] bytes) {
    long expect = dtype.byteCount(TensorInfo.numel(shape));
    if (expect != bytes.length)
      throw new IllegalArgumentException(name + ": " + dtype + " " + java.util.Arrays.toString(shape) + " needs " + expect + " bytes, got " + bytes.length);
    return add(new Entry(name, dtype, shape.clone(), null, bytes.clone()));
  }

  public SafeTensorsWriter metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  public SafeTensorsWriter metadata(Map<String, String> values) {
    metadata.putAll(values);
    return this;
  }

  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  private SafeTensorsWriter add(Entry e) {
    if (e.name.isEmpty() || e.name.equals("__metadata__")) throw new IllegalArgumentException("invalid tensor name '" + e.name + "'");
    Entry old = entries.put(e.name, e);
    if (old != null) {
      release(old);
      throw new IllegalArgumentException("tensor '" + e.name + "' added twice");
    }
    return this;
  }

  /** Writes the file atomically and releases the copies held by this writer. */
  public void write(Path target) throws IOException {
    try {
      List<Entry> order = new ArrayList<>(entries.values());
      order.sort(Comparator.comparingInt((Entry e) -> -e.dtype.alignment()).thenComparing(Entry::name));
      byte[] header = header(order);
      AtomicFiles.write(target, ch -> {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
        AtomicFiles.writeFully(ch, len);
        AtomicFiles.writeFully(ch, ByteBuffer.wrap(header));
        for (Entry e : order) writeData(ch, e);
      });
    } finally {
      entries.values().forEach(SafeTensorsWriter::release);
      entries.clear();
    }
  }

  private byte[] header(List<Entry> order) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
      g.writeStartObject();
      if (!metadata.isEmpty()) {
        g.writeObjectFieldStart("__metadata__");
        for (Map.Entry<String, String> m : metadata.entrySet()) g.writeStringField(m.getKey(), m.getValue());
        g.writeEndObject();
      }
      long offset = 0;
      for (Entry e : order) {
        g.writeObjectFieldStart(e.name);
        g.writeStringField("dtype", e.dtype.name());
        g.writeArrayFieldStart("shape");
        for (long d : e.shape) g.writeNumber(d);
        g.writeEndArray();
        g.writeArrayFieldStart("data_offsets");
        g.writeNumber(offset);
        offset += e.size();
        g.writeNumber(offset);
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    int pad = (8 - out.size() % 8) % 8;
    for (int i = 0; i < pad; i++) out.write(' ');
    return out.toByteArray();
  }

  private static void writeData(FileChannel ch, Entry e) throws IOException {
    if (e.bytes != null) {
      AtomicFiles.writeFully(ch, ByteBuffer.wrap(e.bytes));
      return;
    }
    long total = e.tensor.nbytes();
    if (total == 0) return;
    BytePointer base = new BytePointer(e.tensor.data_ptr());
    for (long done = 0; done < total; done += CHUNK) {
      long n = Math.min(CHUNK, total - done);
      AtomicFiles.writeFully(ch, Tensors.window(base, done, n));
    }
  }

  private static void release(Entry e) {
    if (e.tensor != null) e.tensor.releaseReference();
  }
}
