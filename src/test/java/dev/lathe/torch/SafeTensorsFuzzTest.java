package dev.lathe.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates a valid file hundreds of ways (byte flips in the header, digits changed in offsets and shapes,
 * truncation, a forged header length) and requires either a clean {@link SafeTensorsException} or a file that
 * opens and loads every tensor. Anything else (another exception, a JVM crash, an OutOfMemoryError) fails.
 */
class SafeTensorsFuzzTest {
  @TempDir Path dir;
  static byte[] valid;

  @BeforeAll
  static void build() throws IOException {
    Runtime.load();
    String json = "{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"alpha\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
        + "\"bias\":{\"dtype\":\"BF16\",\"shape\":[6],\"data_offsets\":[4,16]},"
        + "\"weight\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[16,64]},"
        + "\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[64,80]}}";
    valid = SafeTensorsValidationTest.file(json, 80);
    byte[] data = new byte[80];
    new Random(1).nextBytes(data);
    System.arraycopy(data, 0, valid, valid.length - 80, 80);
  }

  @Test
  void mutatedHeaders_failCleanlyOrLoad() throws IOException {
    Random rnd = new Random(20261126);
    int headerLen = (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong();
    int accepted = 0, rejected = 0;
    for (int i = 0; i < 600; i++) {
      byte[] b = valid.clone();
      switch (i % 6) {
        case 0 -> { for (int k = 0; k < 1 + rnd.nextInt(3); k++) b[8 + rnd.nextInt(headerLen)] = (byte) rnd.nextInt(256); }
        case 1 -> { // change one digit in the header: shapes and offsets drift
          int p = 8 + rnd.nextInt(headerLen);
          while (p < 8 + headerLen && !Character.isDigit(b[p])) p++;
          if (p < 8 + headerLen) b[p] = (byte) ('0' + rnd.nextInt(10));
        }
        case 2 -> b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
        case 3 -> ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, rnd.nextLong() >>> rnd.nextInt(64));
        case 4 -> { // swap two header bytes
          int x = 8 + rnd.nextInt(headerLen), y = 8 + rnd.nextInt(headerLen);
          byte t = b[x]; b[x] = b[y]; b[y] = t;
        }
        default -> { // grow the file with junk
          b = java.util.Arrays.copyOf(b, b.length + 1 + rnd.nextInt(64));
        }
      }
      Path p = dir.resolve("f" + i + ".safetensors");
      Files.write(p, b);
      try (PointerScope scope = new PointerScope(); SafeTensorsFile f = SafeTensorsFile.open(p)) {
        for (String name : f.names()) {
          if (f.info(name).dtype().scalarType() != null) f.load(name);
        }
        accepted++;
      } catch (SafeTensorsException e) {
        assertThat(e.getMessage()).startsWith(p.toString()).doesNotContain("\n");
        rejected++;
      } catch (Throwable t) {
        fail("case " + i + " threw " + t, t);
      }
    }
    assertThat(rejected).isGreaterThan(300);
    assertThat(accepted).isGreaterThan(0);   // harmless mutations (e.g. inside the metadata string) still load
  }
}
