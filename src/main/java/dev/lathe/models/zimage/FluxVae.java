package dev.lathe.models.zimage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.models.WeightLoader;
import dev.lathe.models.WeightLoader.Direct;
import dev.lathe.models.WeightLoader.KeyMap;
import dev.lathe.models.WeightLoader.Reshaped;
import dev.lathe.models.WeightLoader.Source;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.GroupNorm;
import dev.lathe.nn.Layer;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Modules;
import dev.lathe.nn.Params;
import dev.lathe.nn.ResnetBlock2D;
import dev.lathe.nn.Sdpa;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.SafeTensorsException;
import dev.lathe.torch.TensorInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The Flux 16-channel AutoencoderKL (Z-Image's VAE; diffusers {@code AutoencoderKL} without quant convs). Module names
 * are the diffusers keys; {@link #keyMap} also reads the BFL/LDM layout of {@code ae.safetensors}. Runs in fp32.
 *
 * <p>Shapes: B images, 3 colour channels in [-1, 1], H×W pixels, n levels, d = 2^(n−1) the downscale (8 for the
 * released VAE), Z latent channels (16).
 */
final class FluxVae extends Layer {
  static final double NORM_EPS = 1e-6;

  /** The fields of the diffusers config.json that the architecture depends on. */
  record Config(int inChannels, int outChannels, List<Integer> blockOut, int layersPerBlock, int latentChannels,
      int groups, double scaling, double shift, boolean midAttention) {
    Config {
      blockOut = List.copyOf(blockOut);
      for (int c : blockOut) if (c % groups != 0) throw new IllegalArgumentException("block_out_channels " + blockOut + " do not split into " + groups + " groups");
    }

    /** The released Flux / Z-Image VAE. */
    static Config flux() {
      return new Config(3, 3, List.of(128, 256, 512, 512), 2, 16, 32, 0.3611, 0.1159, true);
    }

    /** The parity fixture's two-level VAE. */
    static Config tiny() {
      return new Config(3, 3, List.of(32, 64), 1, 16, 32, 0.3611, 0.1159, true);
    }

    int levels() {
      return blockOut.size();
    }

    /** Pixels per latent cell along each side. */
    int downscale() {
      return 1 << (levels() - 1);
    }

    /** This config as a diffusers AutoencoderKL config.json. */
    com.fasterxml.jackson.databind.node.ObjectNode toJson() {
      var n = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
      n.put("_class_name", "AutoencoderKL");
      n.put("in_channels", inChannels);
      n.put("out_channels", outChannels);
      var down = n.putArray("down_block_types");
      var up = n.putArray("up_block_types");
      var bo = n.putArray("block_out_channels");
      for (int c : blockOut) {
        down.add("DownEncoderBlock2D");
        up.add("UpDecoderBlock2D");
        bo.add(c);
      }
      n.put("layers_per_block", layersPerBlock);
      n.put("act_fn", "silu");
      n.put("latent_channels", latentChannels);
      n.put("norm_num_groups", groups);
      n.put("scaling_factor", scaling);
      n.put("shift_factor", shift);
      n.put("force_upcast", true);
      n.put("use_quant_conv", false);
      n.put("use_post_quant_conv", false);
      n.put("mid_block_add_attention", midAttention);
      return n;
    }

    static Config fromJson(JsonNode n) {
      Config d = flux();
      List<Integer> blocks = new ArrayList<>();
      if (n.has("block_out_channels")) n.get("block_out_channels").forEach(v -> blocks.add(v.asInt()));
      if (n.path("use_quant_conv").asBoolean(false) || n.path("use_post_quant_conv").asBoolean(false))
        throw new IllegalArgumentException("use_quant_conv is set: a 4-channel SD VAE, not the Flux VAE");
      return new Config(n.path("in_channels").asInt(d.inChannels), n.path("out_channels").asInt(d.outChannels),
          blocks.isEmpty() ? d.blockOut : blocks, n.path("layers_per_block").asInt(d.layersPerBlock),
          n.path("latent_channels").asInt(d.latentChannels), n.path("norm_num_groups").asInt(d.groups),
          n.path("scaling_factor").asDouble(d.scaling), n.path("shift_factor").isNumber() ? n.get("shift_factor").asDouble() : d.shift,
          n.path("mid_block_add_attention").asBoolean(true));
    }
  }

  final Config cfg;
  private final Encoder encoder;
  private final Decoder decoder;

  FluxVae(Config cfg, Params params) {
    super("AutoencoderKL");
    this.cfg = cfg;
    encoder = register_module("encoder", new Encoder(cfg, params));
    decoder = register_module("decoder", new Decoder(cfg, params));
  }

  /** Pixels [B, 3, H, W] → {mean, logvar} [B, Z, H/d, W/d], raw (no scaling); logvar clamped to [−30, 20]. */
  Tensor[] moments(Tensor pixels, Probe probe) {
    Tensor h = encoder.forward(pixels, probe);                                  // [B, 2Z, H/d, W/d]
    Tensor mean = h.narrow(1, 0, cfg.latentChannels);
    Tensor logvar = h.narrow(1, cfg.latentChannels, cfg.latentChannels)
        .clamp(new ScalarOptional(new Scalar(-30.0)), new ScalarOptional(new Scalar(20.0)));
    return new Tensor[] {mean, logvar};
  }

  /** Raw latents [B, Z, h, w] → pixels [B, 3, h·d, w·d]. */
  Tensor decodeRaw(Tensor z, Probe probe) {
    return decoder.forward(z, probe);
  }

  /** Denoiser latents: (mean − shift)·scale. */
  Tensor encode(Tensor pixels) {
    return moments(pixels, Probe.NONE)[0].sub(new Scalar(cfg.shift)).mul(new Scalar(cfg.scaling));
  }

  /** The inverse of {@link #encode}'s scaling, then the decoder. */
  Tensor decode(Tensor latents) {
    return decodeRaw(latents.div(new Scalar(cfg.scaling)).add(new Scalar(cfg.shift)), Probe.NONE);
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** conv_in → levels (resnets, stride-2 downsample but the last) → mid → GroupNorm → SiLU → conv_out (2Z). */
  static final class Encoder extends Layer {
    private final Conv2d convIn, convOut;
    private final List<List<ResnetBlock2D>> resnets = new ArrayList<>();
    private final List<Conv2d> down = new ArrayList<>();   // null on the last level
    private final MidBlock mid;
    private final GroupNorm normOut;

    Encoder(Config cfg, Params params) {
      super("Encoder");
      List<Integer> ch = cfg.blockOut;
      convIn = register_module("conv_in", new Conv2d(cfg.inChannels, ch.get(0), 3, 1, 1, params));
      Module blocks = register_module("down_blocks", Modules.container("ModuleList"));
      int out = ch.get(0);
      for (int i = 0; i < ch.size(); i++) {
        int in = out;
        out = ch.get(i);
        Module level = blocks.register_module(Integer.toString(i), Modules.container("DownEncoderBlock2D"));
        List<ResnetBlock2D> rs = new ArrayList<>();
        for (int j = 0; j < cfg.layersPerBlock; j++) rs.add(new ResnetBlock2D(j == 0 ? in : out, out, cfg.groups, NORM_EPS, params));
        Modules.list(level, "resnets", rs);
        resnets.add(rs);
        if (i < ch.size() - 1) {
          Module ds = level.register_module("downsamplers", Modules.container("ModuleList"));
          Module d0 = ds.register_module("0", Modules.container("Downsample2D"));
          down.add(d0.register_module("conv", new Conv2d(out, out, 3, 2, 0, params)));
        } else {
          down.add(null);
        }
      }
      mid = register_module("mid_block", new MidBlock(cfg, out, params));
      normOut = register_module("conv_norm_out", new GroupNorm(cfg.groups, out, NORM_EPS, params));
      convOut = register_module("conv_out", new Conv2d(out, 2L * cfg.latentChannels, 3, 1, 1, params));
    }

    Tensor forward(Tensor x, Probe probe) {
      Tensor h = convIn.forward(x);                                              // [B, c0, H, W]
      for (int i = 0; i < resnets.size(); i++) {
        for (ResnetBlock2D r : resnets.get(i)) h = r.forward(h);
        if (down.get(i) != null) {                                              // pad right/bottom by 1, conv stride 2
          h = down.get(i).forward(torch.pad(h, new long[] {0, 1, 0, 1}, "constant", new DoubleOptional(0.0)));
        }
      }
      h = mid.forward(h);                                                        // [B, c_last, H/d, W/d]
      probe.record("encoder_mid_block", h);
      return convOut.forward(torch.silu(normOut.forward(h)));                    // [B, 2Z, H/d, W/d]
    }
  }

  /** conv_in → mid → levels in reverse (layers+1 resnets, nearest ×2 + conv but the last) → GroupNorm → SiLU → conv_out. */
  static final class Decoder extends Layer {
    private final Conv2d convIn, convOut;
    private final MidBlock mid;
    private final List<List<ResnetBlock2D>> resnets = new ArrayList<>();
    private final List<Conv2d> up = new ArrayList<>();     // null on the last level
    private final GroupNorm normOut;

    Decoder(Config cfg, Params params) {
      super("Decoder");
      List<Integer> rev = new ArrayList<>(cfg.blockOut);
      java.util.Collections.reverse(rev);
      convIn = register_module("conv_in", new Conv2d(cfg.latentChannels, rev.get(0), 3, 1, 1, params));
      mid = register_module("mid_block", new MidBlock(cfg, rev.get(0), params));
      Module blocks = register_module("up_blocks", Modules.container("ModuleList"));
      int out = rev.get(0);
      for (int i = 0; i < rev.size(); i++) {
        int prev = out;
        out = rev.get(i);
        Module level = blocks.register_module(Integer.toString(i), Modules.container("UpDecoderBlock2D"));
        List<ResnetBlock2D> rs = new ArrayList<>();
        for (int j = 0; j < cfg.layersPerBlock + 1; j++) rs.add(new ResnetBlock2D(j == 0 ? prev : out, out, cfg.groups, NORM_EPS, params));
        Modules.list(level, "resnets", rs);
        resnets.add(rs);
        if (i < rev.size() - 1) {
          Module us = level.register_module("upsamplers", Modules.container("ModuleList"));
          Module u0 = us.register_module("0", Modules.container("Upsample2D"));
          up.add(u0.register_module("conv", new Conv2d(out, out, 3, 1, 1, params)));
        } else {
          up.add(null);
        }
      }
      normOut = register_module("conv_norm_out", new GroupNorm(cfg.groups, out, NORM_EPS, params));
      convOut = register_module("conv_out", new Conv2d(out, cfg.outChannels, 3, 1, 1, params));
    }

    Tensor forward(Tensor z, Probe probe) {
      Tensor h = mid.forward(convIn.forward(z));                                 // [B, c_last, h, w]
      probe.record("decoder_mid_block", h);
      for (int i = 0; i < resnets.size(); i++) {
        for (ResnetBlock2D r : resnets.get(i)) h = r.forward(h);
        if (up.get(i) != null) {
          long hh = h.size(2), ww = h.size(3);
          h = up.get(i).forward(torch.upsample_nearest2d(h, new long[] {hh * 2, ww * 2}, new DoubleOptional(), new DoubleOptional()));
        }
      }
      return convOut.forward(torch.silu(normOut.forward(h)));                    // [B, 3, H, W]
    }
  }

  /** resnet → single-head self-attention over all pixels → resnet. */
  static final class MidBlock extends Layer {
    private final ResnetBlock2D first, second;
    private final MidAttention attention;   // null without mid attention

    MidBlock(Config cfg, int channels, Params params) {
      super("UNetMidBlock2D");
      List<ResnetBlock2D> rs = Modules.list(this, "resnets", List.of(
          new ResnetBlock2D(channels, channels, cfg.groups, NORM_EPS, params),
          new ResnetBlock2D(channels, channels, cfg.groups, NORM_EPS, params)));
      first = rs.get(0);
      second = rs.get(1);
      attention = cfg.midAttention ? Modules.list(this, "attentions", List.of(new MidAttention(cfg, channels, params))).get(0) : null;
    }

    Tensor forward(Tensor h) {
      h = first.forward(h);
      if (attention != null) h = attention.forward(h);
      return second.forward(h);
    }
  }

  /** GroupNorm → q, k, v (Linear, bias) → softmax(q·kᵀ/√C)·v → to_out.0 → + input. */
  static final class MidAttention extends Layer {
    private final GroupNorm norm;
    private final Linear toQ, toK, toV, toOut;

    MidAttention(Config cfg, int channels, Params params) {
      super("Attention");
      norm = register_module("group_norm", new GroupNorm(cfg.groups, channels, NORM_EPS, params));
      toQ = register_module("to_q", new Linear(channels, channels, true, params));
      toK = register_module("to_k", new Linear(channels, channels, true, params));
      toV = register_module("to_v", new Linear(channels, channels, true, params));
      Module out = register_module("to_out", Modules.container("ModuleList"));
      toOut = out.register_module("0", new Linear(channels, channels, true, params));
    }

    Tensor forward(Tensor x) {
      long b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
      Tensor seq = norm.forward(x).view(b, c, h * w).transpose(1, 2);            // [B, HW, C]
      Tensor q = toQ.forward(seq).unsqueeze(1);                                   // [B, 1, HW, C]
      Tensor k = toK.forward(seq).unsqueeze(1);
      Tensor v = toV.forward(seq).unsqueeze(1);
      Tensor o = toOut.forward(Sdpa.attention(q, k, v, null, false).squeeze(1));  // [B, HW, C]
      return o.transpose(1, 2).reshape(b, c, h, w).add(x);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Layouts: diffusers (the module names above) and BFL/LDM (ae.safetensors), optionally under a component prefix.

  private static final List<String> PREFIXES = List.of("first_stage_model.", "vae.");

  static String prefix(Collection<String> names) {
    for (String p : PREFIXES) for (String n : names) if (n.startsWith(p)) return p;
    return "";
  }

  static boolean isBfl(Collection<String> names, String prefix) {
    for (String n : names) {
      if (n.startsWith(prefix + "encoder.down.") || n.startsWith(prefix + "encoder.mid.") || n.startsWith(prefix + "decoder.up.")) return true;
    }
    return false;
  }

  static KeyMap keyMap(FluxVae model, Checkpoint ck) {
    String prefix = prefix(ck.names());
    boolean bfl = isBfl(ck.names(), prefix);
    Map<String, Source> sources = new LinkedHashMap<>();
    for (var p : Modules.parameters(model)) {
      String name = p.name();
      if (!bfl) {
        sources.put(name, new Direct(prefix + name));
        continue;
      }
      String key = prefix + toBfl(name, model.cfg.levels());
      boolean conv1x1 = name.contains(".attentions.0.to_") && name.endsWith(".weight");
      sources.put(name, conv1x1 ? new Reshaped(key) : new Direct(key));
    }
    Set<String> ignored = new HashSet<>();
    if (!prefix.isEmpty()) for (String n : ck.names()) if (!n.startsWith(prefix)) ignored.add(n);
    return new KeyMap(sources, ignored);
  }

  /** A diffusers VAE key in BFL/LDM naming (decoder levels reversed; attention as 1×1 convs). */
  static String toBfl(String name, int levels) {
    String n = name;
    n = n.replace(".conv_norm_out.", ".norm_out.");
    n = n.replace(".conv_shortcut.", ".nin_shortcut.");
    n = n.replace(".mid_block.resnets.0.", ".mid.block_1.");
    n = n.replace(".mid_block.resnets.1.", ".mid.block_2.");
    n = n.replace(".mid_block.attentions.0.group_norm.", ".mid.attn_1.norm.");
    n = n.replace(".mid_block.attentions.0.to_q.", ".mid.attn_1.q.");
    n = n.replace(".mid_block.attentions.0.to_k.", ".mid.attn_1.k.");
    n = n.replace(".mid_block.attentions.0.to_v.", ".mid.attn_1.v.");
    n = n.replace(".mid_block.attentions.0.to_out.0.", ".mid.attn_1.proj_out.");
    Matcher m = Pattern.compile("encoder\\.down_blocks\\.([0-9]+)\\.(resnets|downsamplers)\\.([0-9]+)\\.(.*)").matcher(n);
    if (m.matches()) {
      return m.group(2).equals("resnets") ? "encoder.down." + m.group(1) + ".block." + m.group(3) + "." + m.group(4)
          : "encoder.down." + m.group(1) + ".downsample." + m.group(4);
    }
    m = Pattern.compile("decoder\\.up_blocks\\.([0-9]+)\\.(resnets|upsamplers)\\.([0-9]+)\\.(.*)").matcher(n);
    if (m.matches()) {
      int level = levels - 1 - Integer.parseInt(m.group(1));
      return m.group(2).equals("resnets") ? "decoder.up." + level + ".block." + m.group(3) + "." + m.group(4)
          : "decoder.up." + level + ".upsample." + m.group(4);
    }
    return n;
  }

  /** The config of a VAE file without config.json: its {@code __metadata__["config"]}, or inferred from shapes. */
  static Config config(Checkpoint ck) throws IOException {
    String json = ck.metadata().get("config");
    if (json != null && json.contains("block_out_channels")) {
      try {
        return Config.fromJson(new ObjectMapper().readTree(json));
      } catch (IOException | IllegalArgumentException e) {
        throw new SafeTensorsException(ck.path(), "__metadata__ config is not a VAE config: " + e.getMessage());
      }
    }
    String prefix = prefix(ck.names());
    boolean bfl = isBfl(ck.names(), prefix);
    List<Integer> blocks = new ArrayList<>();
    for (int i = 0; ; i++) {
      TensorInfo c = ck.info(prefix + (bfl ? "encoder.down." + i + ".block.0.conv1.weight" : "encoder.down_blocks." + i + ".resnets.0.conv1.weight"));
      if (c == null) break;
      blocks.add((int) c.dim(0));
    }
    int layers = 0;
    while (ck.contains(prefix + (bfl ? "encoder.down.0.block." + layers + ".conv1.weight" : "encoder.down_blocks.0.resnets." + layers + ".conv1.weight"))) layers++;
    TensorInfo in = ck.info(prefix + "encoder.conv_in.weight");
    TensorInfo latent = ck.info(prefix + "decoder.conv_in.weight");
    TensorInfo out = ck.info(prefix + "decoder.conv_out.weight");
    if (blocks.isEmpty() || layers == 0 || in == null || latent == null || out == null)
      throw new SafeTensorsException(ck.path(), "not an AutoencoderKL: needs encoder.conv_in, the encoder levels, decoder.conv_in and decoder.conv_out");
    if (latent.dim(1) != 16)
      throw new SafeTensorsException(ck.path(), "a " + latent.dim(1) + "-channel VAE; Z-Image needs the 16-channel Flux VAE");
    boolean attention = ck.contains(prefix + (bfl ? "encoder.mid.attn_1.q.weight" : "encoder.mid_block.attentions.0.to_q.weight"));
    Config f = Config.flux();
    return new Config((int) in.dim(1), (int) out.dim(0), blocks, layers, (int) latent.dim(1), f.groups(), f.scaling(), f.shift(), attention);
  }

  static WeightLoader.Report load(FluxVae model, Checkpoint ck, org.bytedeco.pytorch.Device device) throws IOException {
    return WeightLoader.load(model, ck, keyMap(model, ck), org.bytedeco.pytorch.global.torch.ScalarType.Float, device);
  }
}
