package dev.lathe.tui;

/**
 * One key for one action in one scope.
 *
 * @param key         a {@link Keys} name
 * @param description what it does, for the help overlay and docs/KEYS.md
 * @param visibility  whether the footer shows it
 */
public record Binding(Scope scope, String key, Action action, String description, Visibility visibility) {
  /** Where a binding is advertised. Every binding is in the help overlay and docs/KEYS.md. */
  public enum Visibility { FOOTER, HELP_ONLY }

  public Binding {
    key = Keys.parse(key);
    if (description == null || description.isBlank()) throw new IllegalArgumentException("binding " + key + " needs a description");
  }
}
