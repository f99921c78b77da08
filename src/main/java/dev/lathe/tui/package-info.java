/**
 * The full-screen console (Lanterna). {@link dev.lathe.tui.Console} is the shell: header, screen tabs, footer of key
 * hints, help overlay, command palette, themes, a too-small page, and a loop that reads job data at a fixed rate
 * without ever waiting on training. Screens implement {@link dev.lathe.tui.ConsoleScreen}; the Monitor reads a
 * {@link dev.lathe.tui.MonitorSource} (immutable {@link dev.lathe.tui.MonitorSnapshot}s) and asks a
 * {@link dev.lathe.tui.JobControls}. Keys ({@link dev.lathe.tui.Keymap}) and colours ({@link dev.lathe.tui.Themes})
 * are data; widgets draw with {@link dev.lathe.tui.Role}s. See docs/TUI.md.
 */
package dev.lathe.tui;
