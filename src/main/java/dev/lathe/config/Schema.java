package dev.lathe.config;

import static dev.lathe.config.FieldSpec.bool;
import static dev.lathe.config.FieldSpec.choice;
import static dev.lathe.config.FieldSpec.integer;
import static dev.lathe.config.FieldSpec.ints;
import static dev.lathe.config.FieldSpec.number;
import static dev.lathe.config.FieldSpec.strings;
import static dev.lathe.config.FieldSpec.table;
import static dev.lathe.config.FieldSpec.tables;
import static dev.lathe.config.FieldSpec.text;

import dev.lathe.config.FieldSpec.Range;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one table of every config field: TOML key, type, range, label and help text, in form order. Defaults are
 * not here: each comes from its panel's {@code DEFAULTS}. docs/CONFIG.md is rendered from this table.
 */
public final class Schema {
  private Schema() {}

  private static final int MAX_STEPS = 10_000_000;
  private static final Range SIDE = Range.between(64, 4096);

  public static final Section<Job> JOB = new Section<>("job", "JOB", Job.class, Job.DEFAULTS, false, List.of(
      text("name", Job::name, "Training Name",
          "Name of the run. The job folder and the LoRA file are named after it, so use letters, digits, _ and -."),
      integer("gpu_id", Job::gpuId, Range.between(0, 63), "GPU ID",
          "Which GPU trains, as nvidia-smi numbers them."),
      text("trigger_word", Job::triggerWord, "Trigger Word",
          "A made-up token (e.g. sks_char) that switches the LoRA on. It replaces [trigger] in captions and is put "
              + "in front of captions that lack it, without touching the files. Empty: captions are used as written.")));

  public static final Section<Model> MODEL = new Section<>("model", "MODEL", Model.class, Model.DEFAULTS, false, List.of(
      text("architecture", Model::architecture, "Model Architecture",
          "Model family id, e.g. zimage_turbo (see `lathe presets list`). It picks the loader, the training "
              + "objective and the bucket size. Usually set by the preset the job extends."),
      text("name_or_path", Model::nameOrPath, "Name or Path",
          "Base weights: a diffusers folder, one .safetensors file, or a Hugging Face repo id already in the local "
              + "cache (Lathe never downloads). Empty: the family's usual repo."),
      text("extras_name_or_path", Model::extrasNameOrPath, "Extras Name or Path",
          "Where the text encoder, VAE and tokenizer come from when they are not beside the base weights "
              + "(De-Turbo borrows them from Z-Image-Turbo). Empty: same as name_or_path."),
      text("text_encoder_path", Model::textEncoderPath, "Text Encoder Path",
          "Explicit text-encoder weights, e.g. next to a single-file transformer. Empty: from the extras."),
      text("vae_path", Model::vaePath, "VAE Path", "Explicit VAE weights. Empty: from the extras."),
      text("training_adapter", Model::trainingAdapter, "Training Adapter Path",
          "A LoRA that undoes a turbo model's step distillation while you train, so your LoRA learns the concept "
              + "and not how to break the distillation. It is merged for training, subtracted for previews and "
              + "never saved with your LoRA. Z-Image Turbo needs it (v1 or v2)."),
      bool("low_vram", Model::lowVram, "Low VRAM",
          "Prepare the model on the CPU and keep idle parts there: fits smaller GPUs, costs speed."),
      bool("layer_offloading", Model::layerOffloading, "Layer Offloading",
          "Keep layer weights in CPU RAM and stream them to the GPU every step. Slower and touchier than Low VRAM; "
              + "use it only when that is not enough."),
      bool("train_high_noise", Model::trainHighNoise, "Train High Noise",
          "Two-expert models (Wan 2.2 14B): train the expert that handles the noisy start of sampling (layout, "
              + "motion)."),
      bool("train_low_noise", Model::trainLowNoise, "Train Low Noise",
          "Two-expert models: train the expert that handles the clean end of sampling (detail, texture).")));

  public static final Section<Quantization> QUANTIZATION = new Section<>("quantization", "QUANTIZATION",
      Quantization.class, Quantization.DEFAULTS, false, List.of(
      choice("transformer", Quantization::transformer, Quantization.QType.class, "Transformer",
          "Weight format of the frozen denoiser. float8 loses almost nothing; 6-bit suits 24 GB cards; 4-bit and "
              + "3-bit need an accuracy recovery adapter to stay sharp. Only none is implemented in this build."),
      choice("text_encoder", Quantization::textEncoder, Quantization.QType.class, "Text Encoder",
          "Weight format of the frozen text encoder (float8 is the usual choice when memory is short). Matters "
              + "little when text embeddings are cached."),
      text("accuracy_recovery_adapter", Quantization::accuracyRecoveryAdapter, "Accuracy Recovery Adapter",
          "A pretrained full-precision LoRA kept on a 3- or 4-bit transformer to win back what quantization loses "
              + "(\"3-bit ARA\"). Empty: none.")));

  public static final Section<Target> TARGET = new Section<>("target", "TARGET", Target.class, Target.DEFAULTS, false, List.of(
      choice("type", Target::type, Target.Type.class, "Target Type",
          "LoRA works everywhere (ComfyUI, A1111, diffusers). LoKr is smaller for the same capacity but fewer "
              + "tools load it."),
      integer("linear_rank", Target::linearRank, Range.between(1, 1024), "Linear Rank",
          "Capacity of the adapter. 8-16 suits strong bases and small datasets; 16-32 for richer styles or "
              + "characters; 64+ only for large, varied datasets. Higher ranks overfit small sets sooner."),
      number("linear_alpha", Target::linearAlpha, Range.atLeast(0), "Linear Alpha",
          "The adapter is applied at alpha / rank. 0 means alpha = rank (scale 1), which is what you want unless "
              + "you know otherwise; alpha 1 with rank 16 makes the LoRA learn 16 times more weakly."),
      integer("conv_rank", Target::convRank, Range.between(0, 1024), "Conv Rank",
          "Rank of adapters on convolution layers, which exist only in U-Net families (SD 1.5, SDXL); it shapes "
              + "rendering and texture more than content. 0: none."),
      number("conv_alpha", Target::convAlpha, Range.atLeast(0), "Conv Alpha",
          "As linear_alpha, for convolutions. 0 means alpha = conv_rank."),
      integer("lokr_factor", Target::lokrFactor, Range.between(-1, 1024), "LoKr Factor",
          "LoKr splits each weight dimension into factor x rest. -1 picks the most balanced split; 4-32 are "
              + "common. Ignored for LoRA."),
      bool("lokr_full_rank", Target::lokrFullRank, "LoKr Full Rank",
          "LoKr only. On: the second Kronecker factor is a full matrix and linear_rank / linear_alpha are unused "
              + "(the usual choice). Off: that factor is itself split at linear_rank and scaled by alpha / rank, "
              + "which makes a much smaller file."),
      number("dropout", Target::dropout, new Range(0, true, 1, false), "Dropout",
          "Chance that each input value of an adapter is zeroed during a training step (never in previews or the "
              + "saved file), a mild guard against overfitting small datasets. 0: off; 0.05-0.1 is typical."),
      strings("include", Target::include, "Only If Contains",
          "Adapt only layers whose name contains one of these substrings. Empty: every layer the family targets."),
      strings("exclude", Target::exclude, "Ignore If Contains",
          "Leave out layers whose name contains one of these substrings.")));

  public static final Section<Save> SAVE = new Section<>("save", "SAVE", Save.class, Save.DEFAULTS, false, List.of(
      choice("dtype", Save::dtype, Precision.class, "Data Type",
          "Precision of the saved LoRA. bf16 is stable and small; fp16 is marginally finer; fp32 doubles the file "
              + "for no visible gain in a LoRA."),
      integer("every", Save::every, Range.between(1, MAX_STEPS), "Save Every",
          "Steps between checkpoints. Keep it equal to sample.every so each checkpoint has matching previews."),
      integer("keep_last", Save::keepLast, Range.between(0, 100_000), "Max Step Saves to Keep",
          "How many step checkpoints stay on disk; older ones are deleted. The final LoRA is always kept.")));

  public static final Section<Training> TRAINING = new Section<>("training", "TRAINING", Training.class,
      Training.DEFAULTS, false, List.of(
      integer("batch_size", Training::batchSize, Range.between(1, 1024), "Batch Size",
          "Images (or clips) per forward pass. Memory grows with it; 1 is normal on 24 GB cards."),
      integer("gradient_accumulation", Training::gradientAccumulation, Range.between(1, 1024), "Gradient Accumulation",
          "Micro-batches summed into one optimizer step: batch 1 x accumulation 4 behaves like batch 4 with the "
              + "memory of batch 1, at four times the passes. Keep batch x accumulation below the dataset size."),
      integer("steps", Training::steps, Range.between(1, MAX_STEPS), "Steps",
          "Optimizer steps in the run (not epochs). 2000-3000 is a common start for 20-50 images; pick the best "
              + "checkpoint rather than trusting the last."),
      choice("optimizer", Training::optimizer, Training.Optimizer.class, "Optimizer",
          "Update rule. AdamW 8-bit keeps optimizer state small and suits most LoRAs; Adafactor saves more memory "
              + "but is harder to tune."),
      number("learning_rate", Training::learningRate, new Range(0, false, 10, true), "Learning Rate",
          "Step size of each update. 1e-4 is a sound start; try 1.5e-4 to 2e-4 if nothing is learnt, 5e-5 to "
              + "8e-5 if samples get noisy or overfit fast."),
      number("weight_decay", Training::weightDecay, Range.between(0, 1), "Weight Decay",
          "Pulls weights gently toward zero each step, a mild guard against memorising the dataset. 1e-4 is safe."),
      choice("lr_scheduler", Training::lrScheduler, Training.LrSchedule.class, "LR Schedule",
          "How the learning rate moves after warm-up: constant, cosine decay to zero, or linear decay to zero."),
      integer("warmup_steps", Training::warmupSteps, Range.between(0, MAX_STEPS), "Warm-up Steps",
          "Steps over which the learning rate ramps from 0 to its value. 0: none."),
      choice("timestep_type", Training::timestepType, Training.TimestepType.class, "Timestep Type",
          "Which noise levels training visits most. linear: all equally; sigmoid: mostly the middle (faces, "
              + "characters); weighted: uniform with a per-level loss weight; shift: the model's own inference "
              + "schedule. Presets pick what each family was tuned with."),
      choice("timestep_bias", Training::timestepBias, Training.TimestepBias.class, "Timestep Bias",
          "Extra lean on top of the type. high_noise favours composition and global style; low_noise favours "
              + "texture, faces and fine detail; balanced adds none."),
      choice("loss_type", Training::lossType, Training.LossType.class, "Loss Type",
          "Per-element error between prediction and target: mse (standard) or mae (less swayed by outliers)."),
      bool("use_ema", Training::useEma, "Use EMA",
          "Keep a smoothed running average of the adapter and save that. Steadier on small datasets; costs one "
              + "more copy of the adapter in memory."),
      number("ema_decay", Training::emaDecay, new Range(0, true, 1, false), "EMA Decay",
          "How slowly the average forgets: 0.9 follows quickly, 0.99 is smooth, 0.999 barely moves."),
      bool("cache_text_embeddings", Training::cacheTextEmbeddings, "Cache Text Embeddings",
          "Encode every caption once, keep the result on disk and free the text encoder. Only right when "
              + "captions never change during training: no caption dropout, no DOP, no trigger rewriting."),
      bool("unload_text_encoder", Training::unloadTextEncoder, "Unload TE",
          "Encode only the trigger word and the empty prompt once, then free the text encoder. Every item trains on "
              + "the trigger alone (on the empty prompt where caption dropout fires, and for regularization items); "
              + "captions are not used, so keep it for trigger-only LoRAs."),
      bool("gradient_checkpointing", Training::gradientCheckpointing, "Gradient Checkpointing",
          "Recompute activations during the backward pass instead of storing them: much less memory, about a "
              + "third slower."),
      number("max_grad_norm", Training::maxGradNorm, Range.atLeast(0), "Max Grad Norm",
          "Clip the gradient norm to this before each update, a guard against loss spikes. 0: no clipping."),
      integer("seed", Training::seed, Range.between(0, Long.MAX_VALUE), "Seed",
          "Seed of every random choice of the run (noise, timesteps, data order, dropout): same seed, same run."),
      choice("dtype", Training::dtype, Precision.class, "Training Precision",
          "Precision the frozen base computes in on a GPU (bf16 is usual). On the CPU Lathe always computes in fp32."),
      integer("switch_boundary_every", Training::switchBoundaryEvery, Range.between(1, MAX_STEPS),
          "Switch Experts Every",
          "Two-expert models: steps spent on one expert before switching to the other. With Low VRAM the idle "
              + "expert waits on the CPU, so 10-20 avoids constant transfers.")));

  public static final Section<Advanced> ADVANCED = new Section<>("advanced", "ADVANCED", Advanced.class,
      Advanced.DEFAULTS, false, List.of(
      bool("differential_output_preservation", Advanced::differentialOutputPreservation,
          "Differential Output Preservation",
          "Each step also runs the caption with the trigger swapped for the preservation class and penalises any "
              + "change from the base model's answer, so the LoRA stays opt-in instead of bleeding into every "
              + "person (or truck). Needs a trigger word and a regularization dataset; costs two extra passes."),
      number("dop_multiplier", Advanced::dopMultiplier, Range.atLeast(0), "DOP Loss Multiplier",
          "Weight of the preservation term: 0.1-1.0 is typical, 0.2-0.5 when fighting bleeding."),
      text("dop_class", Advanced::dopClass, "DOP Preservation Class",
          "The plain word for what the trigger names, e.g. person, woman, truck."),
      bool("blank_prompt_preservation", Advanced::blankPromptPreservation, "Blank Prompt Preservation",
          "The same idea with the empty prompt: each step also pulls the LoRA'd model's prediction for the empty "
              + "prompt toward the base model's, so its unprompted behaviour stays. With differential output "
              + "preservation on too, both terms are added, each against its own prompt."),
      number("blank_prompt_multiplier", Advanced::blankPromptMultiplier, Range.atLeast(0),
          "Blank Prompt Multiplier", "Weight of the blank-prompt preservation term."),
      bool("differential_guidance", Advanced::differentialGuidance, "Do Differential Guidance",
          "Aim the target past the model's current prediction so a few-step turbo model adapts fully despite its "
              + "distillation. Meant for turbo families; leave off for others."),
      number("differential_guidance_scale", Advanced::differentialGuidanceScale, Range.between(1, 20),
          "Differential Guidance Scale",
          "How far past: start at 3; 2 if early samples look over-sharp or noisy, 4 if learning is slow.")));

  public static final Section<Dataset> DATASET = new Section<>("datasets", "DATASETS", Dataset.class,
      Dataset.DEFAULTS, true, List.of(
      text("folder", Dataset::folder, "Target Dataset",
          "Folder of images or clips with same-named caption files. Relative paths start at the job file's folder."),
      number("lora_weight", Dataset::loraWeight, new Range(0, false, 100, true), "LoRA Weight",
          "Weight of this dataset against the others of the job: 2 is drawn about twice as often as 1."),
      text("default_caption", Dataset::defaultCaption, "Default Caption",
          "Caption for images that have no caption file. May contain [trigger]."),
      text("caption_ext", Dataset::captionExt, "Caption Extension", "Extension of caption files, without the dot."),
      number("caption_dropout_rate", Dataset::captionDropoutRate, Range.between(0, 1), "Caption Dropout Rate",
          "Chance that an item is trained with an empty caption (or just the trigger). Near 0 the LoRA depends on "
              + "its captions; near 1 it acts like an always-on style. 0.05 is usual; 0 with cached text embeddings."),
      integer("num_frames", Dataset::numFrames, Range.between(1, 1024), "Num Frames",
          "Frames taken from each clip (video families). More frames teach motion better and cost VRAM. 1 for "
              + "images."),
      bool("cache_latents", Dataset::cacheLatents, "Cache Latents",
          "Encode every image once and keep the latents on disk: faster steps and no VAE in memory, at the cost "
              + "of disk space (tens of GB for large high-resolution sets)."),
      bool("is_regularization", Dataset::isRegularization, "Is Regularization",
          "Generic examples of the class (other people, other trucks) for preservation. Captions should not "
              + "contain the trigger; it is never added to them."),
      bool("flip_x", Dataset::flipX, "Flip X",
          "Also train on the left-right mirror of each image. Doubles the data but mirrors asymmetric features "
              + "and text."),
      bool("flip_y", Dataset::flipY, "Flip Y", "Also train on the upside-down image; rarely sensible for photos."),
      ints("resolutions", Dataset::resolutions, SIDE, "Resolutions",
          "Bucket sizes, each the side of a square of the same area. Images are only scaled down into a bucket, "
              + "never up: with 768 and 1024, a 900 px square trains at 768. Higher buckets cost VRAM."),
      text("control_folder", Dataset::controlFolder, "Control Dataset",
          "Edit models: folder of source/control images matched to the targets by file name. Empty: none."),
      text("alpha_background", Dataset::alphaBackground, "Alpha Background",
          "Colour that transparent pixels (PNG, WebP, GIF with alpha) are painted over before training, as "
              + "\"#rrggbb\" or \"#rgb\". White suits most cut-outs; pick the colour you want the model to see behind them.")));

  public static final Section<SamplePrompt> PROMPT = new Section<>("sample.prompts", "SAMPLE PROMPTS",
      SamplePrompt.class, SamplePrompt.DEFAULTS, true, List.of(
      text("prompt", SamplePrompt::prompt, "Prompt",
          "Text of the preview. [trigger] becomes the trigger word; nothing is prepended to sample prompts."),
      integer("seed", SamplePrompt::seed, Range.between(0, Long.MAX_VALUE), "Seed",
          "Fixed seed for this prompt, so it draws the same noise at every checkpoint. Empty: the panel's seed.").optional(),
      integer("width", SamplePrompt::width, SIDE, "Width", "Width of this preview. Empty: the panel's width.").optional(),
      integer("height", SamplePrompt::height, SIDE, "Height", "Height of this preview. Empty: the panel's height.").optional(),
      number("lora_scale", SamplePrompt::loraScale, Range.between(-10, 10), "LoRA Scale",
          "Strength of the LoRA in this preview; a second prompt at 0.6-0.8 shows how it behaves when dialled "
              + "down."),
      text("control_image", SamplePrompt::controlImage, "Control Image",
          "Source image for edit models. Empty: none."),
      text("negative_prompt", SamplePrompt::negativePrompt, "Negative Prompt",
          "Negative prompt for this preview. Empty: the panel's.").optional()));

  public static final Section<Sample> SAMPLE = new Section<>("sample", "SAMPLE", Sample.class, Sample.DEFAULTS, false, List.of(
      integer("every", Sample::every, Range.between(1, MAX_STEPS), "Sample Every",
          "Steps between previews. Keep it equal to save.every."),
      choice("sampler", Sample::sampler, Sample.Sampler.class, "Sampler",
          "flowmatch for flow-matching families (Z-Image, FLUX, Wan, Qwen...), ddpm for SD 1.5 / SDXL. The "
              + "preset picks the right one."),
      integer("width", Sample::width, SIDE, "Width", "Preview width in pixels."),
      integer("height", Sample::height, SIDE, "Height", "Preview height in pixels."),
      integer("seed", Sample::seed, Range.between(0, Long.MAX_VALUE), "Seed", "Base seed of the previews."),
      bool("walk_seed", Sample::walkSeed, "Walk Seed",
          "Prompt i uses seed + i (more variety); off: every prompt uses the same seed. Either way a prompt sees "
              + "the same noise at every checkpoint."),
      number("guidance_scale", Sample::guidanceScale, Range.between(0, 100), "Guidance Scale",
          "Guidance of previews as the family's pipeline takes it: classifier-free guidance for most families "
              + "(1 or less means none), the distilled guidance value for FLUX dev. Guidance-distilled turbo models "
              + "want 0; 2-4 suits most others, about 6 SD."),
      integer("steps", Sample::steps, Range.between(1, 1000), "Sample Steps",
          "Denoising steps per preview: 8 for Z-Image Turbo, 20-30 for most others."),
      integer("num_frames", Sample::numFrames, Range.between(1, 1024), "Num Frames",
          "Frames per preview (video families); more looks better and costs a lot."),
      integer("fps", Sample::fps, Range.between(1, 240), "FPS", "Frame rate of video previews."),
      text("negative_prompt", Sample::negativePrompt, "Negative Prompt",
          "Negative prompt of every preview; ignored by guidance-distilled models."),
      bool("skip_first_sample", Sample::skipFirstSample, "Skip First Sample",
          "Do not draw the baseline previews before the first step."),
      bool("force_first_sample", Sample::forceFirstSample, "Force First Sample",
          "Draw baseline previews even when resuming from a checkpoint. skip_first_sample wins over it."),
      bool("disable_sampling", Sample::disableSampling, "Disable Sampling", "Draw no previews at all."),
      tables("prompts", Sample::prompts, PROMPT,
          "Preview prompts ([[sample.prompts]]). Three do most of the diagnosis: one with the trigger (does it "
              + "switch on?), one with the trigger in a new setting (does it generalise?), one without it (does "
              + "it leak?).")));

  public static final Section<JobConfig> ROOT = new Section<>("", "JOB FILE", JobConfig.class, JobConfig.DEFAULTS,
      false, List.of(
      text("extends", JobConfig::preset, "Preset",
          "The preset this file starts from, by name (`lathe presets list`) or as a path ending in .toml. Every "
              + "field not set here comes from it; lists (datasets, prompts) are replaced, not merged."),
      text("output", JobConfig::output, "Output Folder",
          "Folder that job folders are created in. Relative paths start at the job file's folder."),
      table("job", JobConfig::job, JOB, "Name, GPU and trigger word."),
      table("model", JobConfig::model, MODEL, "The base model and how it is held in memory."),
      table("quantization", JobConfig::quantization, QUANTIZATION, "Compression of the frozen weights."),
      table("target", JobConfig::target, TARGET, "The adapter being trained."),
      table("save", JobConfig::save, SAVE, "Checkpoint format and frequency."),
      table("training", JobConfig::training, TRAINING, "The optimisation."),
      table("advanced", JobConfig::advanced, ADVANCED, "Preservation and guidance terms."),
      table("dataset_defaults", JobConfig::datasetDefaults, DATASET, "DATASET DEFAULTS",
          "Values every [[datasets]] entry starts from (presets put the family's buckets, frames and caching "
              + "here); an entry's own keys win. folder is unused here."),
      tables("datasets", JobConfig::datasets, DATASET, "One [[datasets]] table per folder."),
      table("sample", JobConfig::sample, SAMPLE, "Previews during training.")));

  /** Every section in form order, the root first. */
  public static List<Section<?>> sections() {
    return List.of(ROOT, JOB, MODEL, QUANTIZATION, TARGET, SAVE, TRAINING, ADVANCED, DATASET, SAMPLE, PROMPT);
  }

  /** The table that [[datasets]] entries inherit from. */
  public static final String DATASET_DEFAULTS = "dataset_defaults";

  private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");

  /**
   * The field at a dotted path; list indices are ignored: {@code training.learning_rate},
   * {@code datasets[1].folder}, {@code sample.prompts[0].seed}, {@code extends}.
   */
  public static Optional<FieldSpec<?>> field(String path) {
    String p = INDEX.matcher(path).replaceAll("");
    if (p.startsWith(DATASET_DEFAULTS + ".")) p = DATASET.path() + p.substring(DATASET_DEFAULTS.length());
    for (Section<?> s : sections()) {
      for (FieldSpec<?> f : s.fields()) if (f.path().equals(p)) return Optional.of(f);
    }
    return Optional.empty();
  }

  /** Every leaf field path (no tables), e.g. for "did you mean". */
  public static List<String> leafPaths() {
    List<String> out = new ArrayList<>();
    for (Section<?> s : sections())
      for (FieldSpec<?> f : s.fields())
        if (f.type() != FieldSpec.Type.TABLE && f.type() != FieldSpec.Type.TABLES) out.add(f.path());
    return out;
  }

  /**
   * Every leaf value of a config by path, in form order: {@code training.learning_rate}, {@code datasets[0].folder},
   * {@code sample.prompts[1].seed} (null for an unset override). Used to diff configs and mark changed fields.
   */
  public static java.util.Map<String, Object> flatten(JobConfig c) {
    java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
    flatten(ROOT, c, "", out);
    return out;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void flatten(Section<?> s, Record r, String prefix, java.util.Map<String, Object> out) {
    for (FieldSpec f : s.fields()) {
      String path = prefix.isEmpty() ? f.key() : prefix + "." + f.key();
      Object v = f.get(r);
      switch (f.type()) {
        case TABLE -> flatten(f.child(), (Record) v, path, out);
        case TABLES -> {
          List<?> items = (List<?>) v;
          if (items.isEmpty()) out.put(path, List.of());
          for (int i = 0; i < items.size(); i++) flatten(f.child(), (Record) items.get(i), path + "[" + i + "]", out);
        }
        default -> out.put(path, v);
      }
    }
  }

  /** The list indices in a path, in order: {@code sample.prompts[2].seed} gives [2]. */
  static List<Integer> indices(String path) {
    List<Integer> out = new ArrayList<>();
    Matcher m = INDEX.matcher(path);
    while (m.find()) out.add(Integer.parseInt(m.group(1)));
    return out;
  }
}
