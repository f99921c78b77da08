package dev.lathe.torch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One tensor larger than 2 GiB goes through the writer and the chunked reader intact. Byte offsets past 2^31 are
 * where int-sized buffer arithmetic wraps, so marker bytes sit on both sides of 1 GiB, 2 GiB and the end.
 */
class SafeTensorsLargeTensorTest {
  private static final long N = (1L << 31) + (3L << 20) + 5;   // 2 GiB + 3 MiB + 5 bytes
  private static final long[] MARKS = {0, (1L << 30) - 1, 1L << 30, (1L << 31) - 1, 1L << 31, (1L << 31) + 1, N - 1};

  @BeforeAll
  static void load() {
    Runtime.load();
  }

  private static byte mark(int i) {
    return (byte) (0x11 * (i + 1));
  }

  @Test
  void tensorOver2GiB_writesAndLoadsEveryByte(@TempDir Path tmp) throws Exception {
    // in memory (tmpfs) when there is room: the point is the offsets, not 2 GiB of disk writes and fsync
    Path shm = Path.of("/dev/shm");
    Path dir = Files.isDirectory(shm) && Files.getFileStore(shm).getUsableSpace() > 3 * N
        ? Files.createTempDirectory(shm, "lathe-big") : tmp;
    Path file = dir.resolve("big.safetensors");
    try {
      check(file);
    } finally {
      Files.deleteIfExists(file);
      if (!dir.equals(tmp)) Files.deleteIfExists(dir);
    }
  }

  private static void check(Path file) throws Exception {
    try (PointerScope scope = new PointerScope()) {
      Tensor big = torch.empty(new long[] {N}, new TensorOptions(ScalarType.Byte), new MemoryFormatOptional());
      big.zero_();
      BytePointer p = new BytePointer(big.data_ptr());
      for (int i = 0; i < MARKS.length; i++) p.put(MARKS[i], mark(i));
      // a stretch of 7s straddling 2 GiB, so a chunk boundary inside it would show
      big.narrow(0, (1L << 31) - 100, 200).fill_(new org.bytedeco.pytorch.Scalar(7));
      new SafeTensorsWriter().put("big", big).write(file);

      long dataStart;
      try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
        dataStart = f.dataStart();
        assertThat(f.info("big").byteSize()).isEqualTo(N);
      }
      assertThat(Files.size(file)).as("file length").isEqualTo(dataStart + N);
      try (FileChannel ch = FileChannel.open(file)) {
        for (int i = 0; i < MARKS.length; i++) {
          if (inStretch(MARKS[i])) continue;
          assertThat(byteAt(ch, dataStart + MARKS[i])).as("file byte at %d", MARKS[i]).isEqualTo(mark(i));
        }
        assertThat(byteAt(ch, dataStart + (1L << 31) + 99)).isEqualTo((byte) 7);
        assertThat(byteAt(ch, dataStart + (1L << 31) + 100)).isEqualTo((byte) 0);
      }

      try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
        Tensor back = f.load("big");
        assertThat(back.numel()).isEqualTo(N);
        BytePointer q = new BytePointer(back.data_ptr());
        for (int i = 0; i < MARKS.length; i++) {
          if (inStretch(MARKS[i])) continue;
          assertThat(q.get(MARKS[i])).as("loaded byte at %d", MARKS[i]).isEqualTo(mark(i));
        }
        assertThat(torch.equal(back, big)).as("every byte loaded equals every byte written").isTrue();
      }
    }
  }

  private static boolean inStretch(long at) {
    return at >= (1L << 31) - 100 && at < (1L << 31) + 100;
  }

  private static byte byteAt(FileChannel ch, long pos) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(1);
    ch.read(b, pos);
    return b.get(0);
  }
}
