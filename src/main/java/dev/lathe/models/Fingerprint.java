package dev.lathe.models;

import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.SafeTensorsFile;
import dev.lathe.torch.ShardedCheckpoint;
import dev.lathe.torch.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A cheap content identity for a checkpoint, for cache keys: SHA-256 over every tensor's name, type and shape plus
 * the first 64 KiB of data of up to 16 tensors spread over the file. Different weights under the same names differ
 * in those bytes; reading them costs milliseconds even for multi-GB files.
 */
public final class Fingerprint {
  private static final int SAMPLE = 64 * 1024;
  private static final int SAMPLED_TENSORS = 16;

  private Fingerprint() {}

  /** 16 hex digits. */
  public static String of(Checkpoint ck) throws IOException {
    MessageDigest md = sha256();
    List<SafeTensorsFile> files = ck instanceof ShardedCheckpoint s ? s.shards() : ck instanceof SafeTensorsFile f ? List.of(f) : List.of();
    for (String n : ck.names()) {
      TensorInfo ti = ck.info(n);
      md.update((n + "|" + ti.dtype() + "|" + ti.shapeString() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    for (SafeTensorsFile f : files) {
      List<TensorInfo> ts = f.tensors();
      int step = Math.max(1, ts.size() / SAMPLED_TENSORS);
      try (FileChannel ch = FileChannel.open(f.path(), StandardOpenOption.READ)) {
        for (int i = 0; i < ts.size(); i += step) {
          TensorInfo ti = ts.get(i);
          ByteBuffer buf = ByteBuffer.allocate((int) Math.min(SAMPLE, ti.byteSize()));
          long pos = f.dataStart() + ti.begin();
          while (buf.hasRemaining() && ch.read(buf, pos + buf.position()) > 0) { /* fill */ }
          md.update(buf.flip());
        }
      }
    }
    return HexFormat.of().formatHex(md.digest()).substring(0, 16);
  }

  /** SHA-256 of a small file's bytes (a tokenizer.json), 16 hex digits. */
  public static String ofFile(Path p) throws IOException {
    return HexFormat.of().formatHex(sha256().digest(Files.readAllBytes(p))).substring(0, 16);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
