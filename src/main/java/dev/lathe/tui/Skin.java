package dev.lathe.tui;

import dev.lathe.term.TermProfile;

/**
 * The current theme and terminal profile, shared by every widget of one console so that switching the theme
 * (key {@code t}, {@code :theme}) or the graphics mode repaints everything. Read and written on the GUI thread only.
 */
public final class Skin {
  private Theme theme;
  private TermProfile profile;

  public Skin(Theme theme, TermProfile profile) {
    this.profile = profile;
    this.theme = theme.fold(profile.colors());
  }

  public Theme theme() {
    return theme;
  }

  public TermProfile profile() {
    return profile;
  }

  /** Braille, blocks and box glyphs may be used. */
  public boolean unicode() {
    return profile.unicode();
  }

  /** Replaces the theme, folded to the profile's colour depth. */
  public void theme(Theme t) {
    theme = t.fold(profile.colors());
  }

  /** Replaces the profile (graphics or colour depth switched live) and refolds the theme. */
  public void profile(TermProfile p) {
    profile = p;
    theme = theme.fold(p.colors());
  }
}
