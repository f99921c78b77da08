package dev.lathe.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Converts an ai-toolkit job config (YAML or JSON; keys as in docs/reference/ai-toolkit.md §1.5) into a commented
 * Lathe job file that extends the family's preset. Every YAML key ends up in exactly one of three lists: mapped to a
 * Lathe field, accepted without one (its value changes nothing in a Lathe run: UI plumbing, or the behaviour Lathe
 * always has), or not imported (Lathe has no equivalent), each with its YAML line. Nothing is dropped silently.
 */
public final class AiToolkitImport {
  private AiToolkitImport() {}

  /** A YAML key and what became of it. */
  public record Note(String key, int line, String reason) {
    @Override
    public String toString() {
      return key + " (line " + line + "): " + reason;
    }
  }

  /** "train.lr" for "config.process[0].train.lr": the first process is the one imported. */
  static String shortPath(String path) {
    return path.startsWith(PROCESS) ? path.substring(PROCESS.length()) : path;
  }

  private static final String PROCESS = "config.process[0].";

  /**
   * The conversion.
   *
   * @param toml the Lathe job file, commented
   * @param family the catalog id it maps to, or "" when the arch was not recognised
   * @param unmapped keys whose setting Lathe cannot reproduce
   * @param accepted keys recognised that need no Lathe field
   */
  public record Result(String toml, String family, List<Note> unmapped, List<Note> accepted) {}

  /** Reads and converts a file. Broken YAML throws {@link ConfigException} with the parser's line and column. */
  public static Result convert(Path yaml) throws IOException, ConfigException {
    return convert(Configs.read(yaml), yaml);
  }

  public static Result convert(String text, Path file) throws ConfigException {
    Node root;
    try {
      LoaderOptions opts = new LoaderOptions();
      opts.setAllowDuplicateKeys(false);
      opts.setMaxAliasesForCollections(50);
      root = new Yaml(opts).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
      throw new ConfigException(List.of(new Problem(file, m == null ? 0 : m.getLine() + 1, m == null ? 0 : m.getColumn() + 1,
          "", "YAML syntax: " + oneLine(what) + (e.getContext() != null ? " (" + oneLine(e.getContext()) + ")" : ""),
          Problem.Severity.ERROR, "syntax")));
    } catch (YAMLException e) {
      throw new ConfigException(List.of(new Problem(file, 0, 0, "", "YAML: " + oneLine(e.getMessage()), Problem.Severity.ERROR, "syntax")));
    }
    if (root == null) throw new ConfigException(List.of(Problem.error(file, 0, "", "the file is empty", "syntax")));
    Y y;
    try {
      y = Y.of(root, "");
    } catch (DuplicateKey d) {
      throw new ConfigException(List.of(new Problem(file, d.line, d.column, "", "YAML: duplicate key \"" + d.key
          + "\" (first set on line " + d.firstLine + ")", Problem.Severity.ERROR, "syntax")));
    }
    if (!(y.value instanceof Map)) throw new ConfigException(List.of(Problem.error(file, y.line, "", "expected a mapping at the top", "syntax")));
    return new Converter(file).run(y);
  }

  private static String oneLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }

  // ---- a YAML tree that knows its lines and which keys were read ----

  /** SnakeYAML's composer does not reject repeated keys (its constructor does); the tree builder does. */
  private static final class DuplicateKey extends RuntimeException {
    final String key;
    final int line;
    final int column;
    final int firstLine;

    DuplicateKey(String key, int line, int column, int firstLine) {
      super(key, null, false, false);
      this.key = key;
      this.line = line;
      this.column = column;
      this.firstLine = firstLine;
    }
  }

  /** A YAML value: Map of String to Y, List of Y, or a scalar (String, Long, Double, Boolean, null). */
  static final class Y {
    final Object value;
    /** The line of the key that holds it (of the item, in a list). */
    final int line;
    final String path;
    final Set<String> used = new LinkedHashSet<>();
    /** Mapped, accepted or reported: its children need no further report. */
    boolean done;

    private Y(Object value, int line, String path) {
      this.value = value;
      this.line = line;
      this.path = path;
    }

    static Y of(Node n, String path) {
      return of(n, path, n.getStartMark().getLine() + 1);
    }

    private static Y of(Node n, String path, int line) {
      if (n instanceof MappingNode m) {
        Map<String, Y> map = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
          Node kn = t.getKeyNode();
          String k = kn instanceof ScalarNode s ? s.getValue() : String.valueOf(kn);
          int keyLine = kn.getStartMark().getLine() + 1;
          if (map.containsKey(k)) throw new DuplicateKey(k, keyLine, kn.getStartMark().getColumn() + 1, map.get(k).line);
          map.put(k, of(t.getValueNode(), path.isEmpty() ? k : path + "." + k, keyLine));
        }
        return new Y(map, line, path);
      }
      if (n instanceof SequenceNode s) {
        List<Y> list = new ArrayList<>();
        for (int i = 0; i < s.getValue().size(); i++) {
          Node item = s.getValue().get(i);
          list.add(of(item, path + "[" + i + "]", item.getStartMark().getLine() + 1));
        }
        return new Y(list, line, path);
      }
      return new Y(scalar((ScalarNode) n), line, path);
    }

    private static Object scalar(ScalarNode s) {
      String v = s.getValue();
      Tag t = s.getTag();
      try {
        if (t.equals(Tag.NULL)) return null;
        if (t.equals(Tag.BOOL)) return switch (v.toLowerCase(Locale.ROOT)) {
          case "true", "yes", "on", "y" -> true;
          default -> false;
        };
        if (t.equals(Tag.INT)) return Long.decode(v.replace("_", "").replace("+", ""));
        if (t.equals(Tag.FLOAT)) {
          String f = v.replace("_", "").toLowerCase(Locale.ROOT);
          if (f.endsWith(".inf")) return f.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
          if (f.equals(".nan")) return Double.NaN;
          return Double.parseDouble(f);
        }
      } catch (NumberFormatException e) {
        return v;
      }
      return v;
    }

    @SuppressWarnings("unchecked")
    Map<String, Y> map() {
      return value instanceof Map ? (Map<String, Y>) value : Map.of();
    }

    @SuppressWarnings("unchecked")
    List<Y> list() {
      return value instanceof List ? (List<Y>) value : List.of();
    }

    boolean isMap() {
      return value instanceof Map;
    }

    /** The child at {@code key}, marking it read; null when absent. */
    Y take(String key) {
      Y c = map().get(key);
      if (c != null) used.add(key);
      return c;
    }

    boolean isNull() {
      return value == null;
    }

    boolean isEmpty() {
      return value == null || (value instanceof List<?> l && l.isEmpty()) || (value instanceof Map<?, ?> m && m.isEmpty())
          || (value instanceof String s && s.isEmpty());
    }
  }

  // ---- the conversion ----

  private static final class Converter {
    final Path file;
    /** Lathe section ("" top level, "job", "datasets[0]", "sample.prompts[1]") -> key -> {literal, comment}. */
    final Map<String, Map<String, String[]>> out = new LinkedHashMap<>();
    final Map<String, List<String>> sectionSources = new LinkedHashMap<>();
    final List<Note> unmapped = new ArrayList<>();
    final List<Note> accepted = new ArrayList<>();
    FamilyCatalog.Family family;

    Converter(Path file) {
      this.file = file;
    }

    Result run(Y root) {
      Y job = root.take("job");
      if (job != null) {
        if ("extension".equals(job.value)) accept(job, "selects the trainer kind; Lathe is one");
        else skip(job, "ai-toolkit job kind \"" + job.value + "\" is not a training job Lathe runs");
      }
      Y meta = root.take("meta");
      if (meta != null) for (String k : List.copyOf(meta.map().keySet())) accept(meta.take(k), "file metadata; Lathe records its own in the LoRA header");
      Y config = root.take("config");
      if (config == null || !config.isMap()) {
        unmapped.add(new Note("config", root.line, "missing: an ai-toolkit job keeps everything under config.process"));
      } else {
        Y name = config.take("name");
        if (name != null) emit("job.name", name.value, name, "config.name");
        Y processes = config.take("process");
        List<Y> ps = processes == null ? List.of() : processes.list();
        if (ps.isEmpty()) unmapped.add(new Note("config.process", config.line, "no process to import"));
        for (int i = 0; i < ps.size(); i++) {
          if (i == 0) process(ps.get(0));
          else skip(ps.get(i), "Lathe imports one process per job; make another job for this one");
        }
      }
      leftovers(root);
      return new Result(render(), family == null ? "" : family.id(), List.copyOf(unmapped), List.copyOf(accepted));
    }

    void process(Y p) {
      // the family first: several mappings depend on it
      Y model = p.take("model");
      Y arch = model == null ? null : model.take("arch");
      Y repo = model == null ? null : model.map().get("name_or_path");
      if (arch != null && arch.value instanceof String a) {
        family = FamilyCatalog.fromAiToolkit(a, repo != null && repo.value instanceof String r ? r : "").orElse(null);
        if (family == null) skip(arch, "no Lathe family matches arch \"" + a + "\"; set model.architecture by hand (`lathe presets list`)");
        else emit("model.architecture", family.id(), arch, "model.arch \"" + a + "\"");
      } else if (model != null) {
        unmapped.add(new Note("model.arch", model.line, "missing: name the family with model.architecture by hand (`lathe presets list`)"));
      }
      if (family != null && PresetLibrary.builtInOnly().find(family.id()).isPresent())
        out.computeIfAbsent("", k -> new LinkedHashMap<>()).put("extends", new String[] {TomlText.string(family.id()),
            "the family's preset: what this file does not set"});

      Y t = p.take("type");
      if (t != null) {
        if (List.of("diffusion_trainer", "sd_trainer", "ui_trainer").contains(String.valueOf(t.value))) accept(t, "the LoRA trainer, which is what Lathe runs");
        else skip(t, "process type \"" + t.value + "\" (Lathe trains LoRA / LoKr adapters only)");
      }
      map(p, "training_folder", "output");
      map(p, "trigger_word", "job.trigger_word");
      Y device = p.take("device");
      if (device != null) device(device);
      Y seed = p.take("training_seed");
      if (seed != null) emit("training.seed", seed.value, seed, "training_seed");
      for (String k : List.of("sqlite_db_path", "performance_log_every"))
        if (p.map().containsKey(k)) accept(p.take(k), "web-UI plumbing; Lathe keeps state and timings in the job folder");
      Y logging = p.take("logging");
      if (logging != null) logging(logging);

      Y network = p.take("network");
      if (network != null) network(network);
      Y save = p.take("save");
      if (save != null) save(save);
      Y datasets = p.take("datasets");
      if (datasets != null) for (int i = 0; i < datasets.list().size(); i++) dataset(datasets.list().get(i), i);
      Y train = p.take("train");
      if (train != null) train(train);
      if (model != null) model(model);
      Y sample = p.take("sample");
      if (sample != null) sample(sample);
    }

    void device(Y d) {
      String s = String.valueOf(d.value).toLowerCase(Locale.ROOT);
      if (s.matches("cuda:\\d+")) emit("job.gpu_id", Long.parseLong(s.substring(5)), d, "device");
      else if (s.equals("cuda") || s.equals("cpu")) accept(d, "Lathe picks the device itself; job.gpu_id chooses the GPU");
      else skip(d, "device \"" + d.value + "\" is not supported (CUDA or CPU only)");
    }

    void logging(Y l) {
      for (String k : List.copyOf(l.map().keySet())) {
        Y v = l.take(k);
        switch (k) {
          case "log_every", "use_ui_logger", "verbose" -> accept(v, "Lathe logs every step to metrics.jsonl");
          case "use_wandb" -> {
            if (Boolean.TRUE.equals(v.value)) skip(v, "Weights & Biases logging is not supported; metrics go to metrics.jsonl");
            else accept(v, "off");
          }
          case "project_name", "run_name" -> {
            if (Boolean.TRUE.equals(l.map().getOrDefault("use_wandb", new Y(false, 0, "")).value)) skip(v, "belongs to Weights & Biases logging");
            else accept(v, "unused while use_wandb is off");
          }
          default -> { }
        }
      }
    }

    void network(Y n) {
      Y type = n.take("type");
      String kind = type == null ? "lora" : String.valueOf(type.value).toLowerCase(Locale.ROOT);
      if (type != null) {
        if (kind.equals("lora") || kind.equals("lokr")) emit("target.type", kind, type, "network.type");
        else skip(type, "network type \"" + type.value + "\" is not supported (lora or lokr)");
      }
      Y rank = first(n, "linear", "rank");
      if (rank != null) emit("target.linear_rank", rank.value, rank, rank.path);
      Y alpha = first(n, "linear_alpha", "alpha");
      if (alpha != null) emit("target.linear_alpha", alpha.value, alpha, alpha.path);
      Y conv = n.take("conv");
      Y convAlpha = n.take("conv_alpha");
      boolean unet = family != null && family.unet();
      if (conv != null) {
        if (unet) emit("target.conv_rank", conv.value, conv, "network.conv");
        else accept(conv, family == null ? "no family to tell whether it has convolutions" : family.displayName()
            + " has no convolution layers, so ai-toolkit ignores it too");
      }
      if (convAlpha != null) {
        if (unet) emit("target.conv_alpha", convAlpha.value, convAlpha, "network.conv_alpha");
        else accept(convAlpha, "no convolution layers to scale");
      }
      Y fullRank = n.take("lokr_full_rank");
      if (fullRank != null) {
        if (!kind.equals("lokr")) accept(fullRank, "only shapes LoKr adapters; this is a " + kind);
        else emit("target.lokr_full_rank", fullRank.value, fullRank, "network.lokr_full_rank");
      }
      map(n, "lokr_factor", "target.lokr_factor");
      Y kw = n.take("network_kwargs");
      if (kw != null) {
        for (String k : List.copyOf(kw.map().keySet())) {
          Y v = kw.take(k);
          if (k.equals("only_if_contains")) emit("target.include", v.value == null ? List.of() : strings(v), v, v.path);
          else if (k.equals("ignore_if_contains")) emit("target.exclude", v.value == null ? List.of() : strings(v), v, v.path);
          else skip(v, "network_kwargs." + k + " has no Lathe equivalent");
        }
      }
      acceptIf(n, "transformer_only", true, "Lathe trains adapters on the denoiser only");
      Y dropout = n.take("dropout");
      if (dropout != null) {
        if (dropout.isEmpty()) accept(dropout, "no dropout, as in Lathe's default");
        else emit("target.dropout", dropout.value, dropout, "network.dropout");
      }
      acceptIf(n, "pretrained_lora_path", null, "none");
      acceptIf(n, "split_multistage_loras", true, "two-expert models save one LoRA per expert, as in Lathe");
      acceptIf(n, "old_lokr_format", false, "Lathe writes the current key names");
      acceptIf(n, "all_layers", false, "default targeting");
    }

    void save(Y s) {
      map(s, "dtype", "save.dtype");
      map(s, "save_every", "save.every");
      map(s, "max_step_saves_to_keep", "save.keep_last");
      Y fmt = s.take("save_format");
      if (fmt != null) accept(fmt, "applies to full fine-tunes; a LoRA is always one .safetensors file");
      Y push = s.take("push_to_hub");
      boolean pushing = push != null && Boolean.TRUE.equals(push.value);
      if (push != null) {
        if (pushing) skip(push, "Lathe does not upload to the Hugging Face Hub; push the final .safetensors yourself");
        else accept(push, "off");
      }
      for (String k : List.of("hf_repo_id", "hf_private")) {
        Y v = s.take(k);
        if (v == null) continue;
        if (pushing) skip(v, "belongs to the Hub upload, which Lathe does not do");
        else accept(v, "unused while push_to_hub is off");
      }
    }

    void dataset(Y d, int i) {
      String at = "datasets[" + i + "]";
      section(at, "dataset " + i + " from datasets[" + i + "]");
      Y folder = first(d, "folder_path", "dataset_path");
      if (folder != null) emit(at + ".folder", folder.value, folder, folder.path);
      else unmapped.add(new Note(shortPath(d.path) + ".folder_path", d.line, "missing: set the dataset folder by hand"));
      Y control = d.take("control_path");
      if (control != null) {
        if (control.isEmpty()) accept(control, "none");
        else emit(at + ".control_folder", control.value, control, control.path);
      }
      map(d, "default_caption", at + ".default_caption");
      Y ext = d.take("caption_ext");
      if (ext != null) emit(at + ".caption_ext", String.valueOf(ext.value).replaceFirst("^\\.", ""), ext, ext.path);
      map(d, "caption_dropout_rate", at + ".caption_dropout_rate");
      Y reg = d.take("is_reg");
      if (reg != null) emit(at + ".is_regularization", reg.value, reg, reg.path);
      map(d, "network_weight", at + ".lora_weight");
      Y res = d.take("resolution");
      if (res != null) emit(at + ".resolutions", res.value instanceof List ? longs(res) : res.value, res, res.path);
      Y cache = d.take("cache_latents");
      Y cacheDisk = d.take("cache_latents_to_disk");
      if (cache != null || cacheDisk != null) {
        boolean on = (cache != null && Boolean.TRUE.equals(cache.value)) || (cacheDisk != null && Boolean.TRUE.equals(cacheDisk.value));
        Y src = cacheDisk != null ? cacheDisk : cache;
        emit(at + ".cache_latents", on, src, src.path + " (Lathe's latent cache is on disk)");
        if (cache != null && cacheDisk != null) accept(cache, "folded into cache_latents with cache_latents_to_disk");
      }
      map(d, "flip_x", at + ".flip_x");
      map(d, "flip_y", at + ".flip_y");
      map(d, "num_frames", at + ".num_frames");
      Y mask = d.take("mask_path");
      if (mask != null) {
        if (mask.isEmpty()) accept(mask, "none");
        else skip(mask, "loss masks are not supported");
      }
      Y maskMin = d.take("mask_min_value");
      if (maskMin != null) {
        if (mask == null || mask.isEmpty()) accept(maskMin, "unused without mask_path");
        else skip(maskMin, "loss masks are not supported");
      }
      acceptIf(d, "inpaint_path", null, "none");
      acceptIf(d, "controls", List.of(), "no generated controls");
      acceptIf(d, "augmentations", null, "none");
      acceptIf(d, "shuffle_tokens", false, "captions are used in order, as in Lathe");
      acceptIf(d, "token_dropout_rate", 0L, "no per-token dropout, as in Lathe");
      acceptIf(d, "keep_tokens", 0L, "only used with token shuffling or dropout");
      acceptIf(d, "random_triggers", List.of(), "none");
      acceptIf(d, "num_repeats", 1L, "each image once per pass, as in Lathe");
      acceptIf(d, "loss_multiplier", 1L, "plain loss weight, as in Lathe");
      acceptIf(d, "batch_size", null, "the training batch size applies");
      acceptIf(d, "buckets", true, "Lathe always buckets by aspect ratio");
      acceptIf(d, "random_crop", false, "centre crops, as in Lathe");
      acceptIf(d, "square_crop", false, "aspect buckets, as in Lathe");
      acceptIf(d, "scale", 1L, "images at their own size, as in Lathe");
      acceptIf(d, "auto_frame_count", false, "num_frames frames per clip, as in Lathe");
      acceptIf(d, "shrink_video_to_frames", true, "frames are spread over the whole clip, as in Lathe");
      acceptIf(d, "do_audio", false, "no audio");
      acceptIf(d, "trigger_word", null, "the job's trigger word applies");
      Y tol = d.take("bucket_tolerance");
      if (tol != null) accept(tol, "replaced by the family's bucket size, as ai-toolkit does");
      Y fps = d.take("fps");
      if (fps != null) accept(fps, "frames are spread over the whole clip, so the clip's frame rate is not used");
      Y i2v = d.take("do_i2v");
      if (i2v != null) {
        boolean i2vFamily = family != null && family.id().contains("i2v");
        if (Boolean.TRUE.equals(i2v.value) || !i2vFamily)
          accept(i2v, i2vFamily ? "image-to-video families always condition on the first frame" : "no effect on a text-to-video or image family");
        else skip(i2v, "an image-to-video family always conditions on the first frame");
      }
      for (String k : List.of("num_workers", "prefetch_factor"))
        if (d.map().containsKey(k)) accept(d.take(k), "data-loader plumbing; Lathe sizes its own loader");
    }

    void train(Y t) {
      map(t, "batch_size", "training.batch_size");
      map(t, "steps", "training.steps");
      Y acc = first(t, "gradient_accumulation", "gradient_accumulation_steps");
      if (acc != null) {
        if (acc.value instanceof Long l && l < 1) skip(acc, "-1 (a whole epoch per step) is not supported; set a count");
        else emit("training.gradient_accumulation", acc.value, acc, acc.path);
      }
      map(t, "optimizer", "training.optimizer");
      map(t, "lr", "training.learning_rate");
      Y op = t.take("optimizer_params");
      if (op != null) {
        for (String k : List.copyOf(op.map().keySet())) {
          Y v = op.take(k);
          if (k.equals("weight_decay")) emit("training.weight_decay", v.value, v, v.path);
          else skip(v, "optimizer parameter " + k + " has no Lathe equivalent");
        }
      }
      Y sched = t.take("lr_scheduler");
      Y schedParams = t.take("lr_scheduler_params");
      if (sched != null) {
        emit("training.lr_scheduler", sched.value, sched, sched.path);
        if ("constant_with_warmup".equals(sched.value) && (schedParams == null || !schedParams.map().containsKey("num_warmup_steps")))
          emit("training.warmup_steps", 1000L, sched, sched.path + " constant_with_warmup: 1000 steps unless told otherwise");
      }
      if (schedParams != null) {
        for (String k : List.copyOf(schedParams.map().keySet())) {
          Y v = schedParams.take(k);
          if (k.equals("num_warmup_steps") || k.equals("warmup_steps")) emit("training.warmup_steps", v.value, v, v.path);
          else if (k.equals("total_iters") || k.equals("T_max")) accept(v, "Lathe schedules over training.steps");
          else skip(v, "scheduler parameter " + k + " has no Lathe equivalent");
        }
      }
      map(t, "timestep_type", "training.timestep_type");
      map(t, "content_or_style", "training.timestep_bias");
      map(t, "loss_type", "training.loss_type");
      map(t, "dtype", "training.dtype");
      map(t, "gradient_checkpointing", "training.gradient_checkpointing");
      map(t, "max_grad_norm", "training.max_grad_norm");
      map(t, "unload_text_encoder", "training.unload_text_encoder");
      map(t, "cache_text_embeddings", "training.cache_text_embeddings");
      map(t, "switch_boundary_every", "training.switch_boundary_every");
      Y ema = t.take("ema_config");
      if (ema != null) {
        map(ema, "use_ema", "training.use_ema");
        map(ema, "ema_decay", "training.ema_decay");
        for (String k : List.of("use_feedback", "param_multiplier"))
          if (ema.map().containsKey(k)) skip(ema.take(k), "EMA option " + k + " has no Lathe equivalent");
      }
      map(t, "skip_first_sample", "sample.skip_first_sample");
      map(t, "force_first_sample", "sample.force_first_sample");
      map(t, "disable_sampling", "sample.disable_sampling");
      map(t, "diff_output_preservation", "advanced.differential_output_preservation");
      map(t, "diff_output_preservation_multiplier", "advanced.dop_multiplier");
      map(t, "diff_output_preservation_class", "advanced.dop_class");
      map(t, "blank_prompt_preservation", "advanced.blank_prompt_preservation");
      map(t, "blank_prompt_preservation_multiplier", "advanced.blank_prompt_multiplier");
      map(t, "do_differential_guidance", "advanced.differential_guidance");
      map(t, "differential_guidance_scale", "advanced.differential_guidance_scale");
      Y ns = t.take("noise_scheduler");
      if (ns != null) {
        String want = family == null ? null : family.objective().sampler().key();
        if (want != null && want.equals(String.valueOf(ns.value).toLowerCase(Locale.ROOT)))
          accept(ns, "matches " + family.displayName() + "'s objective, which Lathe takes from the family");
        else if (want == null) accept(ns, "Lathe takes the objective from the family");
        else skip(ns, "\"" + ns.value + "\" does not match " + family.displayName() + ", which trains with " + want);
      }
      acceptIf(t, "train_unet", true, "Lathe always trains the denoiser");
      Y te = t.take("train_text_encoder");
      if (te != null) {
        if (Boolean.TRUE.equals(te.value)) skip(te, "training the text encoder is not supported; the adapter covers the denoiser only");
        else accept(te, "the text encoder stays frozen, as in Lathe");
      }
      Y bypass = t.take("bypass_guidance_embedding");
      if (bypass != null) {
        boolean flex = family != null && family.id().startsWith("flex");
        if (Boolean.TRUE.equals(bypass.value) == flex) accept(bypass, flex ? "Flex trains with the guidance embedder bypassed" : "off");
        else skip(bypass, "bypassing the guidance embedding is only part of the Flex families");
      }
      acceptIf(t, "cfg_scale", 1L, "no guidance value is fed while training, as in Lathe");
      acceptIf(t, "noise_offset", 0L, "no noise offset, as in Lathe");
      acceptIf(t, "min_snr_gamma", null, "no SNR weighting, as in Lathe");
      acceptIf(t, "snr_gamma", null, "no SNR weighting, as in Lathe");
      acceptIf(t, "audio_loss_multiplier", 1L, "no audio");
      acceptIf(t, "do_guidance_loss", false, "off");
      acceptIf(t, "max_loss", null, "no loss clipping");
      acceptIf(t, "start_step", null, "runs start at step 0 or resume from their checkpoint");
      acceptIf(t, "min_denoising_steps", 0L, "the full timestep range");
      acceptIf(t, "max_denoising_steps", 999L, "the full timestep range");
      acceptIf(t, "num_train_timesteps", 1000L, "1000 training timesteps, as in Lathe");
      acceptIf(t, "attention_backend", "native", "Lathe uses libtorch's scaled-dot-product attention");
    }

    void model(Y m) {
      m.used.add("arch");   // read first, in process()
      map(m, "name_or_path", "model.name_or_path");
      map(m, "extras_name_or_path", "model.extras_name_or_path");
      map(m, "assistant_lora_path", "model.training_adapter");
      map(m, "vae_path", "model.vae_path");
      map(m, "te_name_or_path", "model.text_encoder_path");
      map(m, "low_vram", "model.low_vram");
      Y off = first(m, "layer_offloading", "auto_memory");
      if (off != null) emit("model.layer_offloading", off.value, off, off.path);
      boolean offloading = off != null && Boolean.TRUE.equals(off.value);
      for (String k : List.of("layer_offloading_transformer_percent", "layer_offloading_text_encoder_percent")) {
        Y v = m.take(k);
        if (v == null) continue;
        if (!offloading) accept(v, "unused while layer_offloading is off");
        else if (v.value instanceof Number n && n.doubleValue() == 1.0) accept(v, "everything offloaded, which is what layer_offloading means in Lathe");
        else skip(v, "partial offloading is not supported");
      }
      boolean transformerOn = quant(m, "quantize", "qtype", "quantization.transformer", true, false);
      quant(m, "quantize_te", "qtype_te", "quantization.text_encoder", false, transformerOn);
      map(m, "accuracy_recovery_adapter", "quantization.accuracy_recovery_adapter");
      Y qkw = m.take("quantize_kwargs");
      if (qkw != null) {
        Y ex = qkw.take("exclude");
        if (ex != null) {
          if (ex.isEmpty()) accept(ex, "none");
          else skip(ex, "per-layer quantization exclusions are not supported");
        }
      }
      Y kw = m.take("model_kwargs");
      if (kw != null) {
        if (kw.isEmpty()) accept(kw, "none");
        for (String k : List.copyOf(kw.map().keySet())) {
          Y v = kw.take(k);
          if (k.equals("train_high_noise")) emit("model.train_high_noise", v.value, v, v.path);
          else if (k.equals("train_low_noise")) emit("model.train_low_noise", v.value, v, v.path);
          else skip(v, "model option " + k + " has no Lathe equivalent");
        }
      }
      Y dtype = m.take("dtype");
      if (dtype != null) accept(dtype, "ai-toolkit replaces it with train.dtype");
      acceptIf(m, "compile", false, "no torch.compile");
      acceptIf(m, "is_v_pred", false, "the family's own prediction target");
      acceptIf(m, "attn_masking", false, "off");
    }

    /** Maps one quantize switch and its type; returns whether it was on. quantize_te follows quantize when absent. */
    boolean quant(Y m, String onKey, String typeKey, String field, boolean transformer, boolean defaultOn) {
      Y on = m.take(onKey);
      Y type = m.take(typeKey);
      boolean enabled = on == null ? defaultOn : Boolean.TRUE.equals(on.value);
      if (!enabled) {
        if (on != null) emit(field, "none", on, onKey + " = false");
        if (type != null) accept(type, "unused while " + onKey + " is off");
        return false;
      }
      if (type == null) {   // ai-toolkit's default type
        if (on != null) emit(field, "float8", on, onKey + " with the default qfloat8");
        return true;
      }
      String q = String.valueOf(type.value);
      String ara = null;
      int bar = q.indexOf('|');
      if (bar >= 0) {
        ara = q.substring(bar + 1);
        q = q.substring(0, bar);
      }
      Optional<Choice> c = Schema.field(field).orElseThrow().lookup(q);
      if (c.isEmpty()) {
        skip(type, "quantization type \"" + q + "\" has no Lathe equivalent (none, float8, uint8, uint6, uint4, uint3)");
        return true;
      }
      if (on != null) accept(on, "folded into " + field);
      emit(field, c.get(), type, typeKey + " \"" + type.value + "\"");
      if (ara != null) {
        if (transformer) emit("quantization.accuracy_recovery_adapter", ara, type, typeKey + " after the | (accuracy recovery adapter)");
        else skip(type, "an accuracy recovery adapter on the text encoder is not supported");
      }
      return true;
    }

    void sample(Y s) {
      map(s, "sampler", "sample.sampler");
      map(s, "sample_every", "sample.every");
      map(s, "width", "sample.width");
      map(s, "height", "sample.height");
      map(s, "seed", "sample.seed");
      map(s, "walk_seed", "sample.walk_seed");
      map(s, "sample_steps", "sample.steps");
      map(s, "num_frames", "sample.num_frames");
      map(s, "fps", "sample.fps");
      map(s, "neg", "sample.negative_prompt");
      Y g = s.take("guidance_scale");
      if (g != null) {
        if (family != null && family.turbo() && g.value instanceof Number n && n.doubleValue() <= 1)
          emit("sample.guidance_scale", 0.0, g, g.path + " " + g.value + " (1 or less is no guidance; 0 for turbo models)");
        else emit("sample.guidance_scale", g.value, g, g.path);
      }
      acceptIf(s, "sample_start_step", 0L, "previews from step 0");
      acceptIf(s, "guidance_rescale", 0L, "no rescale");
      acceptIf(s, "format", "jpg", "Lathe writes PNG previews");
      Y samples = s.take("samples");
      Y prompts = s.take("prompts");
      List<Y> items = new ArrayList<>();
      if (samples != null) items.addAll(samples.list());
      if (prompts != null) items.addAll(prompts.list());
      for (int i = 0; i < items.size(); i++) prompt(items.get(i), i);
    }

    void prompt(Y p, int i) {
      String at = "sample.prompts[" + i + "]";
      section(at, "preview " + i + " from " + shortPath(p.path));
      if (p.value instanceof String text) {
        emit(at + ".prompt", text, p, p.path);
        return;
      }
      map(p, "prompt", at + ".prompt");
      map(p, "seed", at + ".seed");
      map(p, "width", at + ".width");
      map(p, "height", at + ".height");
      map(p, "network_multiplier", at + ".lora_scale");
      Y ctrl = p.take("ctrl_img");
      if (ctrl != null) {
        if (ctrl.isEmpty()) accept(ctrl, "none");
        else emit(at + ".control_image", ctrl.value, ctrl, ctrl.path);
      }
      map(p, "neg", at + ".negative_prompt");
    }

    // ---- helpers ----

    /** The first of several spellings present; the others, if also present, are reported. */
    Y first(Y m, String... keys) {
      Y found = null;
      for (String k : keys) {
        Y v = m.take(k);
        if (v == null) continue;
        if (found == null) found = v;
        else skip(v, "also set as " + found.path + ", which wins");
      }
      return found;
    }

    void map(Y m, String key, String field) {
      Y v = m.take(key);
      if (v != null) emit(field, v.value, v, v.path);
    }

    /** Accepts {@code key} when it holds {@code expected} (null = absent or empty); any other value is not imported. */
    void acceptIf(Y m, String key, Object expected, String why) {
      Y v = m.take(key);
      if (v == null) return;
      boolean same = expected == null ? v.isEmpty()
          : expected instanceof List<?> l ? (v.value instanceof List<?> vl && vl.isEmpty() && l.isEmpty()) || v.isEmpty()
          : expected instanceof Long e && v.value instanceof Number n ? n.doubleValue() == e
          : expected.equals(v.value);
      if (same) accept(v, why);
      else skip(v, v.path.substring(v.path.lastIndexOf('.') + 1) + " = " + v.value + " has no Lathe equivalent (" + why + " is all Lathe does)");
    }

    void accept(Y v, String why) {
      v.done = true;
      accepted.add(new Note(shortPath(v.path), v.line, why));
    }

    void skip(Y v, String why) {
      v.done = true;
      unmapped.add(new Note(shortPath(v.path), v.line, why));
    }

    void section(String at, String title) {
      sectionSources.computeIfAbsent(at, k -> new ArrayList<>()).add(title);
    }

    /** Checks a value against the Lathe field and records it, or reports why it cannot be used. */
    void emit(String field, Object value, Y src, String from) {
      src.done = true;
      FieldSpec<?> spec = Schema.field(field).orElseThrow(() -> new IllegalStateException("no field " + field));
      Object v = value;
      if (v instanceof Double d && spec.type() == FieldSpec.Type.INT && d == Math.rint(d)) v = d.longValue();
      FieldSpec.Decoded d = spec.decode(v);
      if (!d.ok()) {
        skip(src, "cannot become " + field + ": " + d.error());
        return;
      }
      int dot = field.lastIndexOf('.');
      String section = dot < 0 ? "" : field.substring(0, dot);
      String key = field.substring(dot + 1);
      out.computeIfAbsent(section, k -> new LinkedHashMap<>()).put(key, new String[] {spec.literal(d.value()),
          shortPath(from) + (src.line > 0 ? " (line " + src.line + ")" : "")});
    }

    List<String> strings(Y v) {
      List<String> out = new ArrayList<>();
      for (Y y : v.list()) out.add(String.valueOf(y.value));
      if (v.value instanceof String s) out.add(s);
      return out;
    }

    List<Object> longs(Y v) {
      List<Object> out = new ArrayList<>();
      for (Y y : v.list()) out.add(y.value);
      return out;
    }

    /** Every key nobody read is reported, so an unknown or misspelt key cannot vanish. */
    void leftovers(Y y) {
      if (y.done) return;
      if (y.isMap()) {
        for (Map.Entry<String, Y> e : y.map().entrySet()) {
          if (!y.used.contains(e.getKey())) skip(e.getValue(), "not an ai-toolkit key Lathe knows");
          else leftovers(e.getValue());
        }
      } else {
        for (Y c : y.list()) leftovers(c);
      }
    }

    // ---- output ----

    private static final List<String> ORDER = List.of("", "job", "model", "quantization", "target", "save", "training",
        "advanced");

    String render() {
      StringBuilder sb = new StringBuilder();
      sb.append("# Imported from the ai-toolkit job ").append(file.getFileName()).append(" by `lathe import ai-toolkit`.\n");
      sb.append("# Each value's comment names the YAML key (and line) it came from. Keys the YAML does not set come from the\n");
      sb.append("# family's preset (Lathe's recommendations), not from ai-toolkit's own defaults:\n");
      sb.append("# `lathe config show THIS_FILE --resolved` prints every value with its source.\n");
      for (String s : ORDER) renderSection(sb, s);
      for (String s : out.keySet()) if (s.startsWith("datasets[")) renderSection(sb, s);
      renderSection(sb, "sample");
      for (String s : out.keySet()) if (s.startsWith("sample.prompts[")) renderSection(sb, s);
      if (!accepted.isEmpty()) {
        sb.append("\n# Recognised without a Lathe field (their values change nothing in a Lathe run):\n");
        for (Note n : accepted) sb.append("#   ").append(n).append('\n');
      }
      if (!unmapped.isEmpty()) {
        sb.append("\n# NOT imported (Lathe has no equivalent; review before training):\n");
        for (Note n : unmapped) sb.append("#   ").append(n).append('\n');
      }
      return sb.toString();
    }

    private static final Map<String, String> TITLES = Map.of(
        "job", "JOB: config.name, trigger_word, device",
        "model", "MODEL: model.arch and the weights (assistant_lora_path is the training adapter)",
        "quantization", "QUANTIZATION: model.quantize / qtype, quantize_te / qtype_te",
        "target", "TARGET: network (type, linear / linear_alpha, conv, lokr_full_rank, lokr_factor, dropout, network_kwargs)",
        "save", "SAVE: save (dtype, save_every, max_step_saves_to_keep)",
        "training", "TRAINING: train (batch, steps, optimizer, lr, schedule, timesteps, loss, EMA, text encoder)",
        "advanced", "ADVANCED: train.diff_output_preservation*, blank_prompt_preservation*, differential guidance",
        "sample", "SAMPLE: sample (sampler, sample_every, size, seed, guidance, steps, frames) and train's sample switches");

    void renderSection(StringBuilder sb, String s) {
      Map<String, String[]> rows = out.get(s);
      if (rows == null || rows.isEmpty()) return;
      sb.append('\n');
      if (s.startsWith("datasets[")) sb.append("# DATASETS: ").append(String.join(", ", sectionSources.getOrDefault(s, List.of()))).append("\n[[datasets]]\n");
      else if (s.startsWith("sample.prompts[")) sb.append("[[sample.prompts]]   # ").append(String.join(", ", sectionSources.getOrDefault(s, List.of()))).append('\n');
      else if (!s.isEmpty()) sb.append("# ").append(TITLES.get(s)).append("\n[").append(s).append("]\n");
      int width = rows.entrySet().stream().mapToInt(e -> e.getKey().length() + 3 + e.getValue()[0].length()).filter(n -> n <= 60).max().orElse(0);
      for (Map.Entry<String, String[]> e : rows.entrySet()) {
        String line = e.getKey() + " = " + e.getValue()[0];
        sb.append(line).append(" ".repeat(Math.max(0, width - line.length()))).append("  # ").append(e.getValue()[1]).append('\n');
      }
    }
  }
}
