package dev.lathe.torch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A checkpoint split over several safetensors files, as Hugging Face writes them:
 * {@code <name>.safetensors.index.json} = {"metadata": {...}, "weight_map": {tensor: shard file}}. Every shard
 * named by the index must exist and hold the tensors the index assigns to it.
 */
public final class ShardedCheckpoint implements Checkpoint {
  private final Path index;
  private final Map<String, SafeTensorsFile> shardOf;   // tensor name -> its shard, in shard order
  private final List<SafeTensorsFile> shards;
  private final Map<String, String> metadata;

  private ShardedCheckpoint(Path index, Map<String, SafeTensorsFile> shardOf, List<SafeTensorsFile> shards,
      Map<String, String> metadata) {
    this.index = index;
    this.shardOf = shardOf;
    this.shards = shards;
    this.metadata = metadata;
  }

  public static ShardedCheckpoint open(Path index) throws IOException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readAllBytes(index));
    } catch (NoSuchFileException e) {
      throw new SafeTensorsException(index, "no such file");
    } catch (JsonProcessingException e) {
      throw new SafeTensorsException(index, "invalid JSON at line " + e.getLocation().getLineNr() + ": "
          + e.getOriginalMessage().split("\n")[0]);
    }
    if (root == null || !root.isObject()) throw new SafeTensorsException(index, "index is not a JSON object");
    JsonNode map = root.get("weight_map");
    if (map == null || !map.isObject()) throw new SafeTensorsException(index, "index has no \"weight_map\" object");

    Path dir = index.toAbsolutePath().getParent();
    Map<String, SafeTensorsFile> byFile = new LinkedHashMap<>();
    Map<String, String> fileOf = new LinkedHashMap<>();
    List<SafeTensorsFile> opened = new ArrayList<>();
    try {
      for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual()) throw new SafeTensorsException(index, "weight_map entry '" + e.getKey() + "' is not a file name");
        String file = e.getValue().asText();
        if (file.contains("/") || file.contains("\\") || file.startsWith("."))
          throw new SafeTensorsException(index, "weight_map entry '" + e.getKey() + "' points outside the index folder: " + file);
        fileOf.put(e.getKey(), file);
        if (!byFile.containsKey(file)) {
          Path shard = dir.resolve(file);
          if (!Files.exists(shard))
            throw new SafeTensorsException(index, "shard '" + file + "' named in the index is missing (looked for " + shard + ")");
          SafeTensorsFile f = SafeTensorsFile.open(shard);
          opened.add(f);
          byFile.put(file, f);
        }
      }
      Map<String, SafeTensorsFile> shardOf = new LinkedHashMap<>();
      for (SafeTensorsFile f : opened) {
        for (String name : f.names()) {
          String assigned = fileOf.get(name);
          if (assigned == null) continue;   // a tensor the index does not list is not part of the checkpoint
          if (byFile.get(assigned) == f) shardOf.put(name, f);
        }
      }
      for (Map.Entry<String, String> e : fileOf.entrySet()) {
        if (!shardOf.containsKey(e.getKey()))
          throw new SafeTensorsException(index, "tensor '" + e.getKey() + "' is assigned to shard '" + e.getValue() + "', which does not contain it");
      }
      Map<String, String> meta = new LinkedHashMap<>(opened.isEmpty() ? Map.of() : opened.get(0).metadata());
      JsonNode m = root.get("metadata");
      if (m != null && m.isObject()) m.fields().forEachRemaining(e -> meta.put(e.getKey(), e.getValue().asText()));
      return new ShardedCheckpoint(index, shardOf, List.copyOf(opened), meta);
    } catch (IOException | RuntimeException e) {
      for (SafeTensorsFile f : opened) f.close();
      throw e;
    }
  }

  @Override
  public Path path() {
    return index;
  }

  public List<SafeTensorsFile> shards() {
    return shards;
  }

  @Override
  public List<String> names() {
    return List.copyOf(shardOf.keySet());
  }

  @Override
  public TensorInfo info(String name) {
    SafeTensorsFile f = shardOf.get(name);
    return f == null ? null : f.info(name);
  }

  @Override
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public Tensor load(String name, ScalarType dtype, Device device) throws IOException {
    SafeTensorsFile f = shardOf.get(name);
    if (f == null) throw new SafeTensorsException(index, "no tensor named '" + name + "' in the index");
    return f.load(name, dtype, device);
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (SafeTensorsFile f : shards) {
      try {
        f.close();
      } catch (IOException e) {
        if (first == null) first = e;
      }
    }
    if (first != null) throw first;
  }

  @Override
  public String toString() {
    return index.toString();
  }
}
