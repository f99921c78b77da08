/**
 * What the terminal can do, and the pixels Lathe sends it. {@link dev.lathe.term.TermProbe} asks the terminal once
 * at start-up (JLine, raw mode, one write ending with DA1) and returns an immutable {@link dev.lathe.term.TermProfile}:
 * colour depth, graphics protocol, cell size, tmux, Unicode. The rest are pure functions over images and colours:
 * {@link dev.lathe.term.ColorRounding} (truecolor → 256 → 16 → mono), {@link dev.lathe.term.Sixel} (our encoder:
 * median-cut palette, RLE), {@link dev.lathe.term.KittyImages}, {@link dev.lathe.term.ITerm2Images} and
 * {@link dev.lathe.term.CellImage} (Unicode half-blocks, or an ASCII ramp for mono terminals).
 * Nothing here knows Lanterna's widgets; {@code dev.lathe.tui} draws what these produce.
 */
package dev.lathe.term;
