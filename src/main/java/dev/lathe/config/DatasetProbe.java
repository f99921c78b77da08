package dev.lathe.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The little validation needs to know about a dataset folder: does it exist, how many training items it holds,
 * and whether captions use {@code [trigger]}. A shallow look (no decoding); the data package does the real scan.
 *
 * @param exists the folder exists and is a folder
 * @param items image and video files directly inside it
 * @param triggerPlaceholders caption files (or the default caption) that contain {@code [trigger]}
 */
record DatasetProbe(boolean exists, int items, int triggerPlaceholders) {
  static final Set<String> MEDIA = Set.of("png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff",
      "mp4", "mov", "webm", "mkv", "avi");
  /** Caption files read to look for placeholders; a huge set is sampled, not read whole. */
  private static final int MAX_CAPTIONS = 5000;
  private static final long MAX_CAPTION_BYTES = 64 * 1024;
  static final String PLACEHOLDER = "[trigger]";

  static DatasetProbe of(Path folder, Dataset d) {
    int placeholders = d.defaultCaption().contains(PLACEHOLDER) ? 1 : 0;
    if (!Files.isDirectory(folder)) return new DatasetProbe(false, 0, placeholders);
    int items = 0;
    int read = 0;
    try (Stream<Path> s = Files.list(folder)) {
      for (Path p : (Iterable<Path>) s.sorted()::iterator) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot <= 0 || !MEDIA.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))) continue;
        items++;
        if (read >= MAX_CAPTIONS) continue;
        Path caption = folder.resolve(name.substring(0, dot) + "." + d.captionExt());
        try {
          if (Files.isRegularFile(caption) && Files.size(caption) <= MAX_CAPTION_BYTES) {
            read++;
            if (Files.readString(caption, StandardCharsets.UTF_8).contains(PLACEHOLDER)) placeholders++;
          }
        } catch (IOException e) {
          // an unreadable caption: the data scan reports it with its name
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // an unreadable folder: counted as far as it went; the data scan reports it
    }
    return new DatasetProbe(true, items, placeholders);
  }

  static List<String> mediaExtensions() {
    return MEDIA.stream().sorted().toList();
  }
}
