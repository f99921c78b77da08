package dev.lathe.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedCheckpointTest {
  @BeforeAll
  static void load() {
    Runtime.load();
  }

  @Test
  void referenceShardedCheckpoint_opensThroughIndexOrFolder() throws Exception {
    Path index = Fixtures.path("qwen3-te/model.safetensors.index.json");
    for (Path p : new Path[] {index, index.getParent()}) {
      try (Checkpoint ck = Checkpoint.open(p); PointerScope scope = new PointerScope()) {
        assertThat(ck).isInstanceOf(ShardedCheckpoint.class);
        assertThat(((ShardedCheckpoint) ck).shards()).hasSize(2);
        assertThat(ck.names()).hasSize(35).contains("model.embed_tokens.weight", "model.layers.0.mlp.down_proj.weight", "model.norm.weight");
        assertThat(ck.parameterCount()).isEqualTo(58_176);
        assertThat(ck.info("model.layers.0.self_attn.q_proj.weight").shape()).containsExactly(64, 32);
        assertThat(Tensors.dtype(ck.load("model.norm.weight", ScalarType.Float, null))).isEqualTo(ScalarType.Float);
        assertThat(ck.metadata()).containsEntry("total_size", "116352");
      }
    }
  }

  private static Path makeShards(Path dir) throws Exception {
    try (PointerScope scope = new PointerScope()) {
      new SafeTensorsWriter().put("a", Tensors.fromFloats(new float[] {1, 2}, 2)).write(dir.resolve("m-1.safetensors"));
      new SafeTensorsWriter().put("b", Tensors.fromFloats(new float[] {3}, 1)).put("c", Tensors.fromFloats(new float[] {4}, 1))
          .write(dir.resolve("m-2.safetensors"));
    }
    return dir.resolve("m.safetensors.index.json");
  }

  @Test
  void ownShards_loadEveryTensorFromItsShard(@TempDir Path dir) throws Exception {
    Path index = makeShards(dir);
    Files.writeString(index, "{\"metadata\":{\"total_size\":16},\"weight_map\":{\"a\":\"m-1.safetensors\",\"b\":\"m-2.safetensors\",\"c\":\"m-2.safetensors\"}}");
    try (Checkpoint ck = Checkpoint.open(index); PointerScope scope = new PointerScope()) {
      assertThat(ck.names()).containsExactly("a", "b", "c");
      assertThat(Tensors.toFloats(ck.load("c"))).containsExactly(4f);
      assertThat(Tensors.toFloats(ck.load("a"))).containsExactly(1f, 2f);
    }
  }

  @Test
  void missingShard_namesShardAndIndex(@TempDir Path dir) throws Exception {
    Path index = makeShards(dir);
    Files.writeString(index, "{\"weight_map\":{\"a\":\"m-1.safetensors\",\"b\":\"m-3.safetensors\"}}");
    assertThatThrownBy(() -> Checkpoint.open(index)).isInstanceOf(SafeTensorsException.class)
        .hasMessageStartingWith(index.toString()).hasMessageContaining("shard 'm-3.safetensors'").hasMessageContaining("missing");
  }

  @Test
  void tensorNotInItsShard_isRejected(@TempDir Path dir) throws Exception {
    Path index = makeShards(dir);
    Files.writeString(index, "{\"weight_map\":{\"a\":\"m-2.safetensors\"}}");
    assertThatThrownBy(() -> Checkpoint.open(index)).hasMessageContaining("tensor 'a' is assigned to shard 'm-2.safetensors'");
  }

  @Test
  void brokenIndexJson_givesLine(@TempDir Path dir) throws Exception {
    Path index = makeShards(dir);
    Files.writeString(index, "{\n\"weight_map\": {\"a\": }\n}");
    assertThatThrownBy(() -> Checkpoint.open(index)).hasMessageContaining("invalid JSON at line 2");
  }

  @Test
  void indexPointingOutsideFolder_isRejected(@TempDir Path dir) throws Exception {
    Path index = makeShards(dir);
    Files.writeString(index, "{\"weight_map\":{\"a\":\"../m-1.safetensors\"}}");
    assertThatThrownBy(() -> Checkpoint.open(index)).hasMessageContaining("outside the index folder");
  }
}
