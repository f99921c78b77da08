package dev.lathe.torch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;
import static org.bytedeco.pytorch.global.torch.empty;
import static org.bytedeco.pytorch.global.torch.from_blob;

/**
 * One safetensors file (format: docs/safetensors in the README): an 8-byte little-endian header length N, N bytes
 * of JSON, then the data buffer. The header is validated completely on open (types, shapes, offsets that tile the
 * buffer, exact file length), so a load never reads outside its tensor. Tensor data is mapped lazily, one tensor
 * at a time.
 */
public final class SafeTensorsFile implements Checkpoint {
  /** Largest header accepted, as in the reference implementation. */
  public static final long MAX_HEADER_BYTES = 100_000_000L;
  /** Tensors up to this size are mapped and converted in one go; larger ones are read in chunks. */
  private static final long MAP_LIMIT = 1L << 30;

  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxNumberLength(40).build())
      .build();

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, TensorInfo> tensors;   // in offset order
  private final Map<String, String> metadata;

  private SafeTensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors,
      Map<String, String> metadata) {
    this.path = path;
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /** Opens and validates {@code file}; reads the header only. */
  public static SafeTensorsFile open(Path file) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new SafeTensorsException(file, "no such file");
    }
    try {
      Header h = readHeader(file, ch);
      return new SafeTensorsFile(file, ch, h.dataStart, h.tensors, h.metadata);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Reads and validates only the header of {@code file} (names, types, shapes, metadata). */
  public static Header readHeader(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return readHeader(file, ch);
    } catch (NoSuchFileException e) {
      throw new SafeTensorsException(file, "no such file");
    }
  }

  /** A validated header. */
  public record Header(long dataStart, Map<String, TensorInfo> tensors, Map<String, String> metadata) {}

  private static Header readHeader(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < 8) throw new SafeTensorsException(file, "truncated: " + size + " bytes, shorter than the 8-byte header length");
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, lenBuf, 0);
    long n = lenBuf.flip().getLong();
    if (n < 0 || n > MAX_HEADER_BYTES)
      throw new SafeTensorsException(file, "header length " + Long.toUnsignedString(n) + " exceeds the " + MAX_HEADER_BYTES + "-byte limit");
    if (n > size - 8)
      throw new SafeTensorsException(file, "truncated: header length " + n + " runs past the end of the " + size + "-byte file");
    if (n < 2) throw new SafeTensorsException(file, "header of " + n + " bytes cannot hold a JSON object");
    ByteBuffer json = ByteBuffer.allocate((int) n);
    readFully(ch, json, 8);
    byte[] bytes = json.array();
    if (bytes[0] != '{') throw new SafeTensorsException(file, "header does not start with '{'");

    Map<String, TensorInfo> byName = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(bytes)) {
      expect(file, p.nextToken(), JsonToken.START_OBJECT, "header");
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        if (name.equals("__metadata__")) readMetadata(file, p, metadata);
        else byName.put(name, readEntry(file, p, name));
      }
      expect(file, t, JsonToken.END_OBJECT, "header");
      // only space padding may follow the object
      if (p.nextToken() != null) throw new SafeTensorsException(file, "unexpected data after the header object");
    } catch (JsonProcessingException e) {
      String msg = e.getOriginalMessage();
      if (msg != null && msg.startsWith("Duplicate field"))
        throw new SafeTensorsException(file, "duplicate tensor name in header: " + msg.substring(msg.indexOf('\'')));
      throw new SafeTensorsException(file, "invalid header JSON at byte " + e.getLocation().getByteOffset() + ": " + firstLine(msg));
    }

    // tensors sorted by offset must tile [0, bufferSize) exactly
    List<TensorInfo> sorted = new ArrayList<>(byName.values());
    sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long cursor = 0;
    for (TensorInfo ti : sorted) {
      if (ti.begin() != cursor) {
        throw new SafeTensorsException(file, ti.begin() < cursor
            ? "tensor '" + ti.name() + "' overlaps the previous tensor (offset " + ti.begin() + " < " + cursor + ")"
            : "gap in data before tensor '" + ti.name() + "' (offset " + ti.begin() + ", expected " + cursor + ")");
      }
      cursor = ti.end();
    }
    long expected = 8 + n + cursor;
    if (size != expected) {
      throw new SafeTensorsException(file, size < expected
          ? "truncated: " + size + " bytes, header promises " + expected
          : "trailing " + (size - expected) + " bytes after the last tensor");
    }
    Map<String, TensorInfo> ordered = new LinkedHashMap<>();
    for (TensorInfo ti : sorted) ordered.put(ti.name(), ti);
    return new Header(8 + n, Collections.unmodifiableMap(ordered), Collections.unmodifiableMap(metadata));
  }

  private static TensorInfo readEntry(Path file, JsonParser p, String name) throws IOException {
    if (name.isEmpty()) throw new SafeTensorsException(file, "empty tensor name in header");
    expect(file, p.nextToken(), JsonToken.START_OBJECT, "tensor '" + name + "'");
    DType dtype = null;
    long[] shape = null;
    long[] offsets = null;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken v = p.nextToken();
      switch (key) {
        case "dtype" -> {
          if (v != JsonToken.VALUE_STRING) throw new SafeTensorsException(file, "tensor '" + name + "': dtype is not a string");
          dtype = DType.parse(p.getText());
          if (dtype == null) throw new SafeTensorsException(file, "tensor '" + name + "': unknown dtype '" + p.getText() + "'");
        }
        case "shape" -> shape = readLongs(file, p, v, name, "shape", -1);
        case "data_offsets" -> offsets = readLongs(file, p, v, name, "data_offsets", 2);
        default -> throw new SafeTensorsException(file, "tensor '" + name + "': unknown field '" + key + "'");
      }
    }
    expect(file, t, JsonToken.END_OBJECT, "tensor '" + name + "'");
    if (dtype == null || shape == null || offsets == null)
      throw new SafeTensorsException(file, "tensor '" + name + "': needs dtype, shape and data_offsets");
    if (offsets[1] < offsets[0])
      throw new SafeTensorsException(file, "tensor '" + name + "': data_offsets end " + offsets[1] + " before begin " + offsets[0]);
    long numel;
    long bytes;
    try {
      numel = TensorInfo.numel(shape);
      bytes = dtype.byteCount(numel);
    } catch (ArithmeticException e) {
      throw new SafeTensorsException(file, "tensor '" + name + "': shape " + java.util.Arrays.toString(shape) + " overflows");
    }
    if (bytes < 0)
      throw new SafeTensorsException(file, "tensor '" + name + "': " + numel + " elements of " + dtype + " are not a whole number of bytes");
    if (bytes != offsets[1] - offsets[0]) {
      throw new SafeTensorsException(file, "tensor '" + name + "': shape " + java.util.Arrays.toString(shape) + " of " + dtype
          + " needs " + bytes + " bytes but data_offsets span " + (offsets[1] - offsets[0]));
    }
    return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
  }

  private static long[] readLongs(Path file, JsonParser p, JsonToken start, String name, String field, int exact)
      throws IOException {
    if (start != JsonToken.START_ARRAY) throw new SafeTensorsException(file, "tensor '" + name + "': " + field + " is not an array");
    List<Long> values = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER)
        throw new SafeTensorsException(file, "tensor '" + name + "': " + field + " holds a non-integer or out-of-range value");
      long v = p.getLongValue();
      if (v < 0) throw new SafeTensorsException(file, "tensor '" + name + "': " + field + " holds a negative value " + v);
      if (values.size() > 64) throw new SafeTensorsException(file, "tensor '" + name + "': " + field + " has more than 64 entries");
      values.add(v);
    }
    if (exact >= 0 && values.size() != exact)
      throw new SafeTensorsException(file, "tensor '" + name + "': " + field + " needs " + exact + " entries, has " + values.size());
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  private static void readMetadata(Path file, JsonParser p, Map<String, String> out) throws IOException {
    expect(file, p.nextToken(), JsonToken.START_OBJECT, "__metadata__");
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      if (p.nextToken() != JsonToken.VALUE_STRING)
        throw new SafeTensorsException(file, "__metadata__ value of '" + key + "' is not a string");
      out.put(key, p.getText());
    }
    expect(file, t, JsonToken.END_OBJECT, "__metadata__");
  }

  private static void expect(Path file, JsonToken got, JsonToken want, String where) throws SafeTensorsException {
    if (got != want) throw new SafeTensorsException(file, "invalid header: " + where + " expected " + want + " but found " + got);
  }

  private static String firstLine(String s) {
    if (s == null) return "malformed";
    int i = s.indexOf('\n');
    return i < 0 ? s : s.substring(0, i);
  }

  static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) throw new IOException("unexpected end of file");
      pos += r;
    }
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public List<String> names() {
    return List.copyOf(tensors.keySet());
  }

  @Override
  public TensorInfo info(String name) {
    return tensors.get(name);
  }

  /** Header entries in offset order. */
  public List<TensorInfo> tensors() {
    return List.copyOf(tensors.values());
  }

  @Override
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Offset of the data buffer in the file. */
  public long dataStart() {
    return dataStart;
  }

  /** The raw little-endian bytes of one tensor (at most 2 GiB), for tools that copy without interpreting. */
  public ByteBuffer rawBytes(String name) throws IOException {
    TensorInfo ti = require(name);
    if (ti.byteSize() > Integer.MAX_VALUE) throw new SafeTensorsException(path, "tensor '" + name + "' is over 2 GiB; load it instead");
    ByteBuffer buf = ByteBuffer.allocate((int) ti.byteSize());
    readFully(channel, buf, dataStart + ti.begin());
    return buf.flip();
  }

  @Override
  public Tensor load(String name, ScalarType dtype, Device device) throws IOException {
    TensorInfo ti = require(name);
    ScalarType source = ti.dtype().scalarType();
    if (source == null)
      throw new SafeTensorsException(path, "tensor '" + name + "' is " + ti.dtype() + ", which libtorch cannot hold; convert the file first");
    ScalarType target = dtype == null ? source : dtype;
    long[] shape = ti.shape();
    if (ti.byteSize() == 0) return Tensors.to(empty(shape, new TensorOptions(target), new MemoryFormatOptional()), target, device);
    if (ti.byteSize() <= MAP_LIMIT) {
      // zero-copy view of the mapping, then one copy into memory the tensor owns
      MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + ti.begin(), ti.byteSize());
      try (Tensor view = from_blob(new BytePointer(map), shape, new TensorOptions(source))) {
        Tensor owned = Tensors.to(view, target, device);
        if (Tensors.address(owned) == Tensors.address(view)) owned = owned.clone();   // never alias the map
        java.lang.ref.Reference.reachabilityFence(map);
        return owned;
      }
    }
    // over 1 GiB: read straight into an owned tensor, chunk by chunk, then convert
    Tensor dst = empty(shape, new TensorOptions(source), new MemoryFormatOptional());
    long done = 0;
    long total = ti.byteSize();
    BytePointer base = new BytePointer(dst.data_ptr());
    while (done < total) {
      long chunk = Math.min(MAP_LIMIT, total - done);
      ByteBuffer window = Tensors.window(base, done, chunk);
      readFully(channel, window, dataStart + ti.begin() + done);
      done += chunk;
    }
    return target == source && device == null ? dst : Tensors.to(dst, target, device);
  }

  private TensorInfo require(String name) throws SafeTensorsException {
    TensorInfo ti = tensors.get(name);
    if (ti == null) throw new SafeTensorsException(path, "no tensor named '" + name + "'");
    return ti;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
