package dev.lathe.config;

import static dev.lathe.config.Problem.Severity.ERROR;
import static dev.lathe.config.Problem.Severity.WARNING;

import dev.lathe.config.FamilyCatalog.Family;
import dev.lathe.config.Validation.Ctx;
import dev.lathe.config.Validation.Rule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** The cross-field checks, one entry each: id, usual severity, summary, and the check itself. */
final class Rules {
  private Rules() {}

  record Check(Rule rule, Consumer<Ctx> body) {
    void apply(Ctx ctx) {
      ctx.rule(rule.id());
      body.accept(ctx);
    }
  }

  private static Check check(String id, Problem.Severity sev, String summary, Consumer<Ctx> body) {
    return new Check(new Rule(id, sev, summary), body);
  }

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

  static final List<Check> ALL = List.of(
      // ---- things that stop a run ----
      check("job-name", ERROR, "a job needs a name made of letters, digits, _ and -", x -> {
        String n = x.c.job().name();
        if (n.isEmpty()) {
          if (!x.preset()) x.error("job.name", "set a name for the job: the job folder and the LoRA file are named after it");
        } else if (!NAME.matcher(n).matches()) {
          x.error("job.name", "use only letters, digits, _ and - (it becomes a folder and file name), got \"" + n + "\"");
        }
      }),
      check("architecture", ERROR, "model.architecture must name a family of the catalog", x -> {
        String a = x.c.model().architecture();
        if (a.isEmpty()) {
          x.error("model.architecture", "no model family: start the file with extends = \"<preset>\" (see `lathe presets list`) "
              + "or set model.architecture");
        } else if (x.family.isEmpty()) {
          x.error("model.architecture", "unknown family \"" + a + "\"" + Suggest.didYouMean(a, FamilyCatalog.ids())
              + "; `lathe presets list` shows the families");
        }
      }),
      check("family-not-implemented", ERROR, "the family's model is not implemented in this build yet (a warning in presets)", x -> {
        x.family.filter(f -> !f.implemented()).ifPresent(f -> x.blocking("model.architecture",
            f.displayName() + " is not implemented in this build yet, so training cannot start; implemented: "
                + String.join(", ", FamilyCatalog.ALL.stream().filter(Family::implemented).map(Family::id).toList())));
      }),
      check("choice-not-implemented", ERROR, "an optimizer, schedule, timestep type or loss Lathe knows but cannot run yet", x -> {
        Training t = x.c.training();
        notImplemented(x, "training.optimizer", t.optimizer());
        notImplemented(x, "training.lr_scheduler", t.lrScheduler());
        notImplemented(x, "training.timestep_type", t.timestepType());
        notImplemented(x, "training.loss_type", t.lossType());
      }),
      check("no-dataset", ERROR, "a job needs at least one training dataset", x -> {
        if (x.preset()) return;
        if (x.c.datasets().isEmpty()) {
          x.error("datasets", "no dataset: add a [[datasets]] table with folder = \"path/to/images\"");
        } else if (x.c.datasets().stream().allMatch(Dataset::isRegularization)) {
          x.error("datasets", "every dataset is marked is_regularization, so there is nothing to learn from; "
              + "unmark the dataset that holds your concept");
        }
      }),
      check("dataset-folder", ERROR, "each dataset folder must exist and hold images or clips", x -> {
        if (x.preset()) return;
        for (int i : x.datasetIndices()) {
          Dataset d = x.c.datasets().get(i);
          String p = "datasets[" + i + "].folder";
          if (d.folder().isBlank()) {
            x.error(p, "set the folder of this dataset");
            continue;
          }
          Path folder = x.r.datasetFolder(i);
          DatasetProbe probe = x.probe(i);
          if (!probe.exists()) {
            x.error(p, Files.exists(folder) ? folder + " is a file, not a folder" : "folder " + folder + " does not exist");
          } else if (probe.items() == 0) {
            x.error(p, "no images or clips in " + folder + " (looked for " + String.join(", ", DatasetProbe.mediaExtensions()) + ")");
          }
          if (!d.controlFolder().isBlank() && !Files.isDirectory(x.r.resolvePath(d.controlFolder())))
            x.error("datasets[" + i + "].control_folder", "folder " + x.r.resolvePath(d.controlFolder()) + " does not exist");
        }
      }),
      check("dataset-background", ERROR, "alpha_background must be a colour written \"#rrggbb\" or \"#rgb\"", x -> {
        for (Ctx.DatasetAt d : x.datasetEntries())
          if (d.dataset().alphaBackgroundRgb().isEmpty())
            x.error(d.path() + ".alpha_background", "write the colour as \"#rrggbb\" or \"#rgb\" (white: \"#ffffff\"), got \""
                + d.dataset().alphaBackground() + "\"");
      }),
      check("multistage-nothing", ERROR, "a two-expert model with both experts switched off trains nothing", x -> {
        Model m = x.c.model();
        if (x.family.map(Family::multistage).orElse(false) && !m.trainHighNoise() && !m.trainLowNoise())
          x.error("model.train_low_noise", "train_high_noise and train_low_noise are both off, so no expert trains; turn one on");
      }),
      check("lokr-factor", ERROR, "lokr_factor 0 is not a factor", x -> {
        if (x.c.target().lokrFactor() == 0)
          x.error("target.lokr_factor", "0 is not a factor; use -1 for the most balanced split or a value like 4, 8, 16");
      }),

      // ---- settings this build does not implement ----
      check("quantization-not-implemented", WARNING, "quantization is not implemented yet: weights load in bf16", x -> {
        Quantization q = x.c.quantization();
        if (q.transformer() != Quantization.QType.NONE)
          x.warn("quantization.transformer", q.transformer().label() + " quantization is not implemented in this build: "
              + "training goes on with the transformer in bf16, about " + ratio(q.transformer()) + " the VRAM of "
              + q.transformer().label() + " weights; lower buckets or rank if it does not fit");
        if (q.textEncoder() != Quantization.QType.NONE)
          x.warn("quantization.text_encoder", q.textEncoder().label() + " quantization is not implemented in this build: "
              + "the text encoder stays in bf16 (about " + ratio(q.textEncoder()) + " the memory); caching text "
              + "embeddings frees it after encoding");
      }),
      check("accuracy-recovery-adapter", WARNING, "an accuracy recovery adapter belongs with a 3- or 4-bit transformer, and only there", x -> {
        Quantization q = x.c.quantization();
        boolean low = q.transformer().bits() <= 4;
        if (!q.accuracyRecoveryAdapter().isBlank() && !low)
          x.warn("quantization.accuracy_recovery_adapter", "does nothing: an accuracy recovery adapter only applies to a "
              + "3- or 4-bit transformer, and this one is " + q.transformer().label());
        if (low && q.accuracyRecoveryAdapter().isBlank())
          x.warn("quantization.transformer", q.transformer().label() + " weights without an accuracy recovery adapter "
              + "lose visible quality; set quantization.accuracy_recovery_adapter or use 6-bit");
      }),
      check("dtype-on-cpu", WARNING, "on the CPU Lathe trains in fp32, whatever training.dtype says", x -> {
        Precision d = x.c.training().dtype();
        if (x.env.cpuOnly() && d != Precision.FP32)
          x.warn("training.dtype", "this run goes on the CPU, where Lathe computes in fp32: " + d.key() + " only applies "
              + "on a GPU; set fp32 to say what happens, or run where CUDA is available");
      }),
      check("offload-not-implemented", WARNING, "Low VRAM and layer offloading are not implemented yet", x -> {
        if (x.c.model().lowVram())
          x.warn("model.low_vram", "not implemented in this build: the whole model stays on the GPU while training "
              + "goes on; if it does not fit, lower buckets, rank or batch size");
        if (x.c.model().layerOffloading())
          x.warn("model.layer_offloading", "not implemented in this build: no layers are streamed from CPU RAM, so the "
              + "model must fit in VRAM as it is");
      }),

      // ---- settings that do nothing here ----
      check("dataset-defaults-folder", WARNING, "dataset_defaults.folder does nothing", x -> {
        if (!x.c.datasetDefaults().folder().isEmpty())
          x.warn("dataset_defaults.folder", "does nothing: each [[datasets]] entry names its own folder");
      }),
      check("frames-on-image-family", WARNING, "num_frames > 1 on an image family does nothing", x -> {
        if (x.family.isEmpty() || x.family.get().video()) return;
        for (Ctx.DatasetAt d : x.datasetEntries())
          if (d.dataset().numFrames() > 1)
            x.warn(d.path() + ".num_frames", "does nothing: " + x.family.get().displayName()
                + " is an image family and trains on single frames");
        if (x.c.sample().numFrames() > 1)
          x.warn("sample.num_frames", "does nothing: " + x.family.get().displayName() + " draws still images");
      }),
      check("multistage-ignored", WARNING, "expert settings on a model without experts do nothing", x -> {
        if (x.family.isEmpty() || x.family.get().multistage()) return;
        String fam = x.family.get().displayName();
        Model m = x.c.model();
        if (!m.trainHighNoise()) x.warn("model.train_high_noise", "does nothing: " + fam + " has a single denoiser, not two experts");
        if (!m.trainLowNoise()) x.warn("model.train_low_noise", "does nothing: " + fam + " has a single denoiser, not two experts");
        if (x.c.training().switchBoundaryEvery() != Training.DEFAULTS.switchBoundaryEvery())
          x.warn("training.switch_boundary_every", "does nothing: " + fam + " has a single denoiser, not two experts");
      }),
      check("conv-rank", WARNING, "conv_rank on a family without convolution layers does nothing", x -> {
        if (x.family.isEmpty() || x.family.get().unet()) return;
        if (x.c.target().convRank() > 0)
          x.warn("target.conv_rank", "does nothing: " + x.family.get().displayName() + " is a transformer without "
              + "convolution layers to adapt; set it to 0");
      }),
      check("lokr-factor-on-lora", WARNING, "lokr_factor does nothing for a LoRA", x -> {
        Target t = x.c.target();
        if (t.type() == Target.Type.LORA && t.lokrFactor() != Target.DEFAULTS.lokrFactor() && t.lokrFactor() != 0)
          x.warn("target.lokr_factor", "does nothing: target.type is lora; it only shapes LoKr adapters");
      }),
      check("lokr-comfy-only", WARNING, "a Z-Image LoKr file loads in ComfyUI only", x -> {
        if (x.family.isEmpty() || !x.family.get().baseFamily().equals("zimage")) return;
        if (x.c.target().type() == Target.Type.LOKR)
          x.warn("target.type", "a Z-Image LoKr file loads in ComfyUI, but diffusers refuses it; choose lora if the LoRA "
              + "must also work in diffusers");
      }),
      check("timestep-type-ddpm", WARNING, "timestep_type is ignored by DDPM families", x -> {
        if (x.family.isEmpty() || x.family.get().objective() != FamilyCatalog.Objective.DDPM) return;
        if (x.c.training().timestepType() != Training.TimestepType.LINEAR)
          x.warn("training.timestep_type", "does nothing: " + x.family.get().displayName() + " trains with DDPM, which "
              + "draws timesteps uniformly; set it to linear");
      }),
      check("control-images", WARNING, "edit models need control images; other families ignore them", x -> {
        if (x.family.isEmpty() || x.preset()) return;
        Family f = x.family.get();
        boolean edit = f.kind() == FamilyCatalog.Kind.EDIT;
        for (int i : x.datasetIndices()) {
          Dataset d = x.c.datasets().get(i);
          if (d.isRegularization()) continue;
          if (edit && d.controlFolder().isBlank())
            x.warn("datasets[" + i + "].control_folder", f.displayName() + " is an edit model and learns from "
                + "(control, target) pairs; set the folder of the source images");
          if (!edit && !d.controlFolder().isBlank())
            x.warn("datasets[" + i + "].control_folder", "does nothing: " + f.displayName() + " is not an edit model");
        }
      }),
      check("adapter-not-turbo", WARNING, "a training adapter on a model that is not distilled does nothing useful", x -> {
        x.family.filter(f -> !f.turbo()).ifPresent(f -> {
          if (!x.c.model().trainingAdapter().isBlank())
            x.warn("model.training_adapter", "should be empty: " + f.displayName() + " is not step-distilled, so there is "
                + "nothing for a de-distillation adapter to undo");
        });
      }),

      // ---- settings that fight each other ----
      check("turbo-without-adapter", WARNING, "a turbo model trained without its training adapter drifts", x -> {
        x.family.filter(Family::turbo).ifPresent(f -> {
          if (x.c.model().trainingAdapter().isBlank())
            x.warn("model.training_adapter", "training " + f.displayName() + " without its training adapter undoes the "
                + "step distillation: the LoRA then needs more steps and CFG at inference; set the v1 or v2 adapter "
                + "(see the zimage_turbo preset) or train zimage_deturbo");
        });
      }),
      check("turbo-guidance", WARNING, "guidance-distilled turbo models preview at guidance 0", x -> {
        x.family.filter(Family::turbo).ifPresent(f -> {
          double g = x.c.sample().guidanceScale();
          if (g <= 0 || x.c.sample().disableSampling()) return;
          if (g <= 1)
            x.warn("sample.guidance_scale", TomlText.number(g) + " does nothing (1 or less already means no guidance); "
                + f.displayName() + " is guidance-distilled: write 0, as the guides do");
          else
            x.warn("sample.guidance_scale", f.displayName() + " is guidance-distilled and previews at guidance 0; "
                + TomlText.number(g) + " turns classifier-free guidance on, so previews look worse than inference will");
        });
      }),
      check("sampler-objective", WARNING, "the preview sampler must match the family's training objective", x -> {
        x.family.ifPresent(f -> {
          Sample.Sampler want = f.objective().sampler();
          if (x.c.sample().sampler() != want && !x.c.sample().disableSampling())
            x.warn("sample.sampler", x.c.sample().sampler().key() + " does not match " + f.displayName() + ", which trains with "
                + (f.objective() == FamilyCatalog.Objective.DDPM ? "DDPM" : "flow matching") + "; use " + want.key());
        });
      }),
      check("differential-guidance", WARNING, "differential guidance is meant for turbo families", x -> {
        x.family.filter(f -> !f.turbo()).ifPresent(f -> {
          if (x.c.advanced().differentialGuidance())
            x.warn("advanced.differential_guidance", "meant for few-step turbo models; on " + f.displayName()
                + " it mostly scales the gradient up; leave it off unless a guide for this family says otherwise");
        });
      }),
      check("dop-without-regularization", WARNING, "differential output preservation without a regularization dataset", x -> {
        if (x.preset() || !x.c.advanced().differentialOutputPreservation()) return;
        if (x.c.datasets().stream().noneMatch(Dataset::isRegularization))
          x.warn("advanced.differential_output_preservation", "no dataset has is_regularization = true: add a set of "
              + "generic examples of the class, captioned without the trigger, for the preservation term to protect");
      }),
      check("dop-without-trigger", WARNING, "differential output preservation needs a trigger word and a class", x -> {
        Advanced a = x.c.advanced();
        if (!a.differentialOutputPreservation()) return;
        if (x.c.job().triggerWord().isBlank() && !x.preset())
          x.warn("advanced.differential_output_preservation", "needs job.trigger_word: the preservation pass swaps the "
              + "trigger for \"" + a.dopClass() + "\", and with no trigger the two prompts are the same");
        if (a.dopClass().isBlank())
          x.warn("advanced.dop_class", "empty: set the plain word for what the trigger names (person, truck...)");
      }),
      check("dop-and-blank-prompt", WARNING, "differential output and blank prompt preservation together cost four extra passes", x -> {
        Advanced a = x.c.advanced();
        if (a.differentialOutputPreservation() && a.blankPromptPreservation())
          x.warn("advanced.blank_prompt_preservation", "with differential output preservation on too, Lathe adds both terms, "
              + "each comparing the LoRA with the base model on its own prompt: four extra forward passes per step instead "
              + "of two (ai-toolkit mixes the two prompts here, so an imported job trains differently); keep one unless "
              + "you want both");
      }),
      check("cache-te-with-dop", WARNING, "cached text embeddings cannot follow the class-swapped DOP prompts", x -> {
        if (x.c.training().cacheTextEmbeddings() && x.c.advanced().differentialOutputPreservation())
          x.warn("training.cache_text_embeddings", "differential output preservation encodes a rewritten prompt every step; "
              + "turn caching off so the text encoder sees it");
      }),
      check("cache-te-with-dropout", WARNING, "cached text embeddings with caption dropout", x -> {
        if (!x.c.training().cacheTextEmbeddings()) return;
        for (Ctx.DatasetAt d : x.datasetEntries())
          if (d.dataset().captionDropoutRate() > 0)
            x.warn(d.path() + ".caption_dropout_rate", "with cached text embeddings set this to 0: dropout "
                + "changes the caption per step, which a cache encoded once cannot follow");
      }),
      check("cache-te-with-dynamic-trigger", WARNING, "cached text embeddings with a trigger rewritten into captions", x -> {
        if (!x.c.training().cacheTextEmbeddings()) return;
        String trig = x.c.job().triggerWord();
        if (!trig.isBlank()) {
          x.warn("training.cache_text_embeddings", "job.trigger_word \"" + trig + "\" is inserted into captions when they "
              + "load; cached embeddings freeze one version of each caption, so turn caching off (or write the "
              + "trigger into the caption files and clear job.trigger_word)");
          return;
        }
        if (x.preset()) return;
        int n = 0;
        for (int i : x.datasetIndices()) n += x.probe(i).triggerPlaceholders();
        if (n > 0)
          x.warn("training.cache_text_embeddings", n + " caption(s) contain " + DatasetProbe.PLACEHOLDER + " while no "
              + "trigger word is set, so the placeholder is dropped before encoding; set job.trigger_word or edit "
              + "the captions, and keep caching off while the trigger may change");
      }),
      check("unload-text-encoder", WARNING, "Unload TE trains every item on the trigger word alone; captions are not used", x -> {
        if (!x.c.training().unloadTextEncoder()) return;
        String trig = x.c.job().triggerWord();
        x.warn("training.unload_text_encoder", (trig.isBlank()
            ? "with no job.trigger_word every item trains on the empty prompt"
            : "every item trains on the embedding of \"" + trig + "\" alone (the empty prompt where caption dropout fires)")
            + ", so the captions are not used; keep it off unless this is a trigger-only LoRA");
      }),
      check("save-sample-mismatch", WARNING, "save.every and sample.every should match", x -> {
        Sample s = x.c.sample();
        if (!s.disableSampling() && s.every() != x.c.save().every())
          x.warn(x.set("sample.every") ? "sample.every" : "save.every", "save.every is " + x.c.save().every()
              + " but sample.every is " + s.every() + ": some checkpoints will have no matching previews; set both to the same value");
      }),
      check("every-beyond-steps", WARNING, "save or sample intervals longer than the run", x -> {
        int steps = x.c.training().steps();
        if (x.c.save().every() > steps)
          x.warn("save.every", x.c.save().every() + " is more than training.steps (" + steps + "): only the final LoRA is saved");
        if (!x.c.sample().disableSampling() && x.c.sample().every() > steps)
          x.warn("sample.every", x.c.sample().every() + " is more than training.steps (" + steps + "): previews only at the start and the end");
      }),
      check("batch-exceeds-dataset", WARNING, "batch size x gradient accumulation larger than the dataset", x -> {
        int items = x.trainingItems();
        int eff = x.c.training().effectiveBatch();
        if (items > 0 && eff > items)
          x.warn(x.set("training.gradient_accumulation") ? "training.gradient_accumulation" : "training.batch_size",
              "each step would need " + eff + " samples (batch_size " + x.c.training().batchSize() + " x gradient_accumulation "
                  + x.c.training().gradientAccumulation() + ") but the training datasets hold " + items + "; lower one of them");
      }),
      check("alpha-scale", WARNING, "linear_alpha 1 shrinks the LoRA to 1/rank", x -> {
        Target t = x.c.target();
        if (t.usesAlpha() && t.linearAlpha() > 0 && t.linearAlpha() <= 1 && t.linearRank() > 1)
          x.warn("target.linear_alpha", TomlText.number(t.linearAlpha()) + " with rank " + t.linearRank() + " applies the LoRA at "
              + TomlText.number(t.scale()) + ", so it learns about " + t.linearRank() + " times more weakly; use 0 (alpha = rank) "
              + "unless you raised the learning rate to match");
      }),
      check("warmup-too-long", WARNING, "warm-up as long as the run", x -> {
        Training t = x.c.training();
        if (t.warmupSteps() >= t.steps())
          x.warn("training.warmup_steps", t.warmupSteps() + " warm-up steps is not less than training.steps (" + t.steps()
              + "): the learning rate never reaches its value");
      }),
      check("keep-last-zero", WARNING, "keeping no step checkpoints makes a stopped run start over", x -> {
        if (x.c.save().keepLast() == 0)
          x.warn("save.keep_last", "0 keeps no step checkpoints: a stopped or crashed run cannot resume and you cannot pick an earlier step");
      }),
      check("first-sample-flags", WARNING, "skip_first_sample and force_first_sample together", x -> {
        Sample s = x.c.sample();
        if (s.skipFirstSample() && s.forceFirstSample())
          x.warn("sample.force_first_sample", "does nothing: skip_first_sample wins over it; keep one");
      }),
      check("no-sample-prompts", WARNING, "sampling on with no prompts draws nothing", x -> {
        Sample s = x.c.sample();
        if (!s.disableSampling() && s.prompts().isEmpty())
          x.warn("sample.prompts", "sampling is on but there are no prompts; add [[sample.prompts]] or set disable_sampling = true");
      }),
      check("sample-size", WARNING, "preview sizes the family cannot draw exactly", x -> {
        x.family.ifPresent(f -> {
          int d = f.bucketDivisor();
          Sample s = x.c.sample();
          sizeCheck(x, "sample.width", s.width(), d, f);
          sizeCheck(x, "sample.height", s.height(), d, f);
          for (int i = 0; i < s.prompts().size(); i++) {
            SamplePrompt p = s.prompts().get(i);
            if (p.width() != null) sizeCheck(x, "sample.prompts[" + i + "].width", p.width(), d, f);
            if (p.height() != null) sizeCheck(x, "sample.prompts[" + i + "].height", p.height(), d, f);
          }
        });
      }),
      check("vram", WARNING, "settings beyond the family's VRAM guidance for the detected GPU (a heuristic)", Rules::vram));

  private static void notImplemented(Ctx x, String path, Choice c) {
    if (c.implemented()) return;
    FieldSpec<?> f = Schema.field(path).orElseThrow();
    List<String> ok = f.choices().stream().filter(Choice::implemented).map(Choice::key).toList();
    x.error(path, c.key() + " is not implemented in this build yet; choose " + String.join(", ", ok));
  }

  private static String ratio(Quantization.QType q) {
    double r = 16.0 / q.bits();
    return r == Math.rint(r) ? (int) r + "x" : String.format(Locale.ROOT, "%.1fx", r);
  }

  private static void sizeCheck(Ctx x, String path, int v, int d, Family f) {
    if (v % d != 0)
      x.warn(path, v + " is not a multiple of " + d + ", which " + f.displayName() + " needs; the preview is drawn at "
          + (v / d) * d);
  }

  /**
   * VRAM heuristic. The guides give a minimum that assumes careful settings (rank, bucket size, often a quantized
   * transformer) and a comfortable size. Each setting beyond what the minimum covers raises the need to the
   * comfortable size; a GPU below the need gets a warning that names the settings. It is a rule of thumb from the
   * guides, not a measurement, and the message says so.
   */
  private static void vram(Ctx x) {
    if (!x.env.hasGpu() || x.family.isEmpty()) return;
    Family f = x.family.get();
    FamilyCatalog.Vram v = f.vram();
    List<String> why = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    JobConfig c = x.c;
    if (v.minNeedsQuantization()) {
      why.add("the " + v.minGb() + " GB minimum assumes a quantized transformer, which this build cannot do yet");
      fields.add("quantization.transformer");
    }
    for (Ctx.DatasetAt d : x.datasetEntries()) {
      int max = d.dataset().maxResolution();
      if (max > v.comfortBucket()) {
        why.add("bucket " + max + " > " + v.comfortBucket());
        fields.add(d.path() + ".resolutions");
        break;
      }
    }
    if (c.target().linearRank() > v.comfortRank()) {
      why.add("rank " + c.target().linearRank() + " > " + v.comfortRank());
      fields.add("target.linear_rank");
    }
    if (c.training().batchSize() > 1) {
      why.add("batch size " + c.training().batchSize());
      fields.add("training.batch_size");
    }
    if (!c.training().gradientCheckpointing()) {
      why.add("gradient checkpointing off");
      fields.add("training.gradient_checkpointing");
    }
    int need = why.isEmpty() ? v.minGb() : v.recommendedGb();
    double have = x.env.gpuGb();
    if (have + 0.5 >= need) return;   // a "24 GB" card reports a little under 24 GiB
    String gpu = x.env.gpuName().isBlank() ? "the GPU" : x.env.gpuName();   // "the GPU" or "NVIDIA ... 4090"
    String msg = String.format(Locale.ROOT, "heuristic: %s wants about %d GB%s, but %s has %.0f GB; expect out-of-memory "
        + "errors. Guide: %s", f.displayName(), need, why.isEmpty() ? "" : " here (" + String.join("; ", why) + ")", gpu,
        have, v.note());
    x.warn(fields.isEmpty() ? "model.architecture" : fields.get(fields.size() > 1 && fields.get(0).startsWith("quantization") ? 1 : 0), msg);
  }
}
