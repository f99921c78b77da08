package dev.lathe.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed file is refused with one line naming the file and the problem. */
class SafeTensorsValidationTest {
  @TempDir Path dir;

  @BeforeAll
  static void load() {
    Runtime.load();
  }

  /** A file with the given header JSON (unpadded) and {@code dataBytes} zero bytes of data. */
  static byte[] file(String json, int dataBytes) {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    return b.array();
  }

  private Path write(byte[] bytes) throws IOException {
    Path p = dir.resolve("bad.safetensors");
    Files.write(p, bytes);
    return p;
  }

  private void assertRejected(byte[] bytes, String fragment) throws IOException {
    Path p = write(bytes);
    assertThatThrownBy(() -> SafeTensorsFile.open(p).close())
        .isInstanceOf(SafeTensorsException.class)
        .hasMessageStartingWith(p.toString() + ": ")
        .hasMessageContaining(fragment)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void valid_unpaddedHeader_isAccepted() throws IOException {
    Path p = write(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8));
    try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
      assertThat(f.names()).containsExactly("a");
    }
  }

  @Test
  void emptyFile() throws IOException {
    assertRejected(new byte[0], "truncated");
  }

  @Test
  void truncatedData() throws IOException {
    byte[] ok = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16);
    assertRejected(java.util.Arrays.copyOf(ok, ok.length - 3), "truncated");
  }

  @Test
  void trailingBytes() throws IOException {
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 9), "trailing 5 bytes");
  }

  @Test
  void headerLengthBeyondFile() throws IOException {
    byte[] b = file("{}", 0);
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 5000);
    assertRejected(b, "runs past the end");
  }

  @Test
  void absurdHeaderLength_neverAllocates() throws IOException {
    byte[] b = file("{}", 0);
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
    assertRejected(b, "exceeds");
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1);   // 2^64-1 unsigned
    assertRejected(b, "exceeds");
  }

  @Test
  void invalidJson() throws IOException {
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",", 0), "invalid header");
    assertRejected(file("[1,2,3]", 0), "start with '{'");
    assertRejected(file("{\"a\": 3}", 0), "invalid header");
  }

  @Test
  void unknownDtype() throws IOException {
    assertRejected(file("{\"a\":{\"dtype\":\"F7\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "unknown dtype 'F7'");
  }

  @Test
  void shapeByteCountMismatch() throws IOException {
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "needs 12 bytes");
  }

  @Test
  void overlappingOffsets() throws IOException {
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlaps");
  }

  @Test
  void gapInOffsets() throws IOException {
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12), "gap");
  }

  @Test
  void duplicateNames() throws IOException {
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "duplicate");
  }

  @Test
  void negativeOrOverflowingShape() throws IOException {
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "negative");
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,4]}}", 4), "overflows");
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}}", 4), "out-of-range");
  }

  @Test
  void metadataValuesMustBeStrings() throws IOException {
    assertRejected(file("{\"__metadata__\":{\"step\":3}}", 0), "not a string");
  }

  @Test
  void missingFile_namesIt() {
    Path p = dir.resolve("nope.safetensors");
    assertThatThrownBy(() -> Checkpoint.open(p)).isInstanceOf(SafeTensorsException.class).hasMessage(p + ": no such file");
  }
}
