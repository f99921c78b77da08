package dev.lathe.config;

/**
 * A value of a closed set written in TOML as a lower-case key ({@code "adamw8bit"}). Every enum the config uses
 * implements it, so the codec, the forms and the docs treat all closed choices alike.
 */
public interface Choice {
  /** The TOML spelling. */
  String key();

  /** What a form shows, e.g. "AdamW 8-bit". */
  String label();

  /** Other spellings accepted on input (ai-toolkit names, UI labels); never written back. */
  default java.util.List<String> aliases() {
    return java.util.List.of();
  }

  /** False for values Lathe recognises but cannot run yet; validation reports them. */
  default boolean implemented() {
    return true;
  }
}
