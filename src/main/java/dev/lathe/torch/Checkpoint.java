package dev.lathe.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Named tensors on disk: one safetensors file, or a sharded set behind a {@code *.safetensors.index.json}.
 * Opening reads and validates headers only; each {@link #load} reads one tensor. Close releases file handles;
 * tensors already loaded own their memory and stay valid.
 */
public interface Checkpoint extends AutoCloseable {

  /** Where the tensors come from (a file or an index), for messages. */
  Path path();

  /** Tensor names in file order (sharded: shard by shard). */
  List<String> names();

  /** The header entry of {@code name}, or null if there is no such tensor. */
  TensorInfo info(String name);

  default boolean contains(String name) {
    return info(name) != null;
  }

  /** The {@code __metadata__} map (sharded: the first shard's, plus the index's metadata). */
  Map<String, String> metadata();

  /**
   * Reads one tensor into memory it owns.
   *
   * @param dtype the element type wanted, or null for the file's own type
   * @param device where the result lives, or null for the CPU
   * @throws IOException naming the file if the tensor is missing or its type cannot be loaded
   */
  Tensor load(String name, ScalarType dtype, Device device) throws IOException;

  default Tensor load(String name) throws IOException {
    return load(name, null, null);
  }

  /** Sum of the element counts of every tensor. */
  default long parameterCount() {
    long n = 0;
    for (String name : names()) n += info(name).numel();
    return n;
  }

  @Override
  void close() throws IOException;

  /**
   * Opens a checkpoint: a {@code .safetensors} file, a {@code .safetensors.index.json}, or a folder holding
   * exactly one of those (an index wins over loose shards).
   */
  static Checkpoint open(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      List<Path> indexes = new ArrayList<>();
      List<Path> files = new ArrayList<>();
      try (Stream<Path> s = Files.list(path)) {
        s.sorted().forEach(p -> {
          String n = p.getFileName().toString();
          if (n.endsWith(".safetensors.index.json")) indexes.add(p);
          else if (n.endsWith(".safetensors")) files.add(p);
        });
      }
      if (indexes.size() == 1) return ShardedCheckpoint.open(indexes.get(0));
      if (indexes.isEmpty() && files.size() == 1) return SafeTensorsFile.open(files.get(0));
      if (indexes.isEmpty() && files.isEmpty())
        throw new SafeTensorsException(path, "no .safetensors file or .safetensors.index.json in this folder");
      throw new SafeTensorsException(path, "several checkpoints in this folder (" + (indexes.isEmpty() ? files : indexes)
          .stream().map(p -> p.getFileName().toString()).toList() + "); name the file or its index");
    }
    if (!Files.exists(path)) throw new SafeTensorsException(path, "no such file");
    if (path.getFileName().toString().endsWith(".index.json")) return ShardedCheckpoint.open(path);
    return SafeTensorsFile.open(path);
  }
}
