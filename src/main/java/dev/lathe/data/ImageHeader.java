package dev.lathe.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What a scan needs from an image without decoding it: format, stored size, EXIF orientation, alpha, animation,
 * and whether the file is cut short. Read from the format's own header bytes (PNG chunks, JPEG markers, RIFF
 * chunks, BMP and GIF headers) with a few small positional reads, which keeps a 50,000-file scan fast.
 *
 * @param width stored width (before orientation)
 * @param height stored height
 * @param orientation EXIF orientation 1..8 (1 when absent)
 * @param color a short description for reports: "rgb", "rgba", "gray 16-bit", "palette", "cmyk", ...
 */
record ImageHeader(String format, int width, int height, int orientation, boolean alpha, boolean animated, String color) {

  /** Width as displayed: orientations 5..8 turn the image a quarter. */
  int displayWidth() {
    return orientation >= 5 ? height : width;
  }

  int displayHeight() {
    return orientation >= 5 ? width : height;
  }

  /** A file that is not a readable image, with the reason in words. */
  static final class BadImage extends Exception {
    BadImage(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Random access over a file or a byte array. */
  interface Source {
    long size();

    /** Up to {@code n} bytes from {@code pos}; shorter at the end of the data. */
    ByteBuffer read(long pos, int n) throws IOException;
  }

  /** Bytes read up front: enough for the headers of nearly every file, so most scans cost one or two reads. */
  private static final int PREFIX = 16 << 10;
  private static final int TAIL = 4 << 10;

  static ImageHeader read(Path file) throws IOException, BadImage {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      byte[] prefix = readAt(ch, 0, (int) Math.min(size, PREFIX));
      long tailStart = Math.max(prefix.length, size - TAIL);
      byte[] tail = tailStart < size ? readAt(ch, tailStart, (int) (size - tailStart)) : new byte[0];
      return read(new Source() {
        @Override
        public long size() {
          return size;
        }

        @Override
        public ByteBuffer read(long pos, int n) throws IOException {
          int len = (int) Math.max(0, Math.min(n, size - pos));
          if (len == 0) return ByteBuffer.allocate(0);
          if (pos + len <= prefix.length) return ByteBuffer.wrap(prefix, (int) pos, len).slice();
          if (pos >= tailStart) return ByteBuffer.wrap(tail, (int) (pos - tailStart), len).slice();
          return ByteBuffer.wrap(readAt(ch, pos, len));
        }
      });
    }
  }

  private static byte[] readAt(FileChannel ch, long pos, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (ch.read(b, pos + b.position()) < 0) break;
    }
    return b.position() == n ? b.array() : java.util.Arrays.copyOf(b.array(), b.position());
  }

  static ImageHeader read(byte[] bytes) throws BadImage {
    try {
      return read(new Source() {
        @Override
        public long size() {
          return bytes.length;
        }

        @Override
        public ByteBuffer read(long pos, int n) {
          if (pos < 0 || n <= 0) return ByteBuffer.allocate(0);
          int from = (int) Math.min(pos, bytes.length);
          return ByteBuffer.wrap(bytes, from, Math.min(n, bytes.length - from)).slice();
        }
      });
    } catch (IOException e) {
      throw new IllegalStateException(e);   // byte arrays do not fail
    }
  }

  static ImageHeader read(Source src) throws IOException, BadImage {
    long size = src.size();
    if (size == 0) throw new BadImage("empty file (0 bytes)");
    ByteBuffer head = src.read(0, 32);
    byte[] h = new byte[head.remaining()];
    head.get(h);
    if (startsWith(h, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) return png(src, size);
    if (startsWith(h, 0xFF, 0xD8, 0xFF)) return jpeg(src, size);
    if (startsWith(h, 'R', 'I', 'F', 'F') && h.length >= 12 && h[8] == 'W' && h[9] == 'E' && h[10] == 'B' && h[11] == 'P')
      return webp(src, size);
    if (startsWith(h, 'G', 'I', 'F', '8')) return gif(src, size);
    if (startsWith(h, 'B', 'M')) return bmp(src, size);
    if (size < 8) throw new BadImage("truncated: " + size + " bytes, too short for any image header");
    throw new BadImage("not an image this reader knows (PNG, JPEG, WebP, BMP, GIF): unrecognised file signature");
  }

  // ---- PNG: signature, IHDR, then chunks up to the first IDAT (acTL = animated, eXIf = orientation, tRNS = alpha)

  private static ImageHeader png(Source src, long size) throws IOException, BadImage {
    ByteBuffer ihdr = need(src, 8, 25, "PNG header");
    if (ihdr.getInt(0) != 13 || !fourcc(ihdr, 4).equals("IHDR")) throw new BadImage("corrupt PNG: first chunk is not IHDR");
    int w = ihdr.getInt(8);
    int hgt = ihdr.getInt(12);
    int depth = ihdr.get(16) & 0xFF;
    int type = ihdr.get(17) & 0xFF;
    if (w <= 0 || hgt <= 0) throw new BadImage("corrupt PNG: size " + Integer.toUnsignedString(w) + "x" + Integer.toUnsignedString(hgt));
    boolean alpha = type == 4 || type == 6;
    boolean animated = false;
    int orientation = 1;
    long pos = 8 + 25;
    for (int guard = 0; guard < 10_000 && pos + 8 <= size; guard++) {
      ByteBuffer c = src.read(pos, 8).order(ByteOrder.BIG_ENDIAN);
      if (c.remaining() < 8) break;
      long len = c.getInt(0) & 0xFFFFFFFFL;
      String t = fourcc(c, 4);
      if (t.equals("IDAT") || t.equals("IEND")) break;
      if (t.equals("acTL")) animated = true;
      if (t.equals("tRNS")) alpha = true;
      if (t.equals("eXIf") && len < (1 << 20)) orientation = Exif.orientation(bytes(src.read(pos + 8, (int) len)));
      pos += 12 + len;
    }
    if (!tailHas(src, size, "IEND".getBytes(StandardCharsets.US_ASCII), 0))
      throw new BadImage("truncated PNG: no IEND chunk at the end (file cut short?)");
    String color = switch (type) {
      case 0 -> "gray";
      case 2 -> "rgb";
      case 3 -> "palette";
      case 4 -> "gray+alpha";
      case 6 -> "rgba";
      default -> throw new BadImage("corrupt PNG: colour type " + type);
    };
    if (depth == 16) color += " 16-bit";
    return new ImageHeader("png", w, hgt, orientation, alpha, animated, color);
  }

  // ---- JPEG: markers up to start-of-scan; SOFn gives the size and components, APP1 Exif the orientation

  private static ImageHeader jpeg(Source src, long size) throws IOException, BadImage {
    long pos = 2;
    int orientation = 1;
    int w = -1;
    int hgt = -1;
    int comps = 0;
    boolean adobe = false;
    long sos = -1;
    for (int guard = 0; guard < 10_000; guard++) {
      ByteBuffer m = src.read(pos, 4).order(ByteOrder.BIG_ENDIAN);
      if (m.remaining() < 2) break;
      if ((m.get(0) & 0xFF) != 0xFF) throw new BadImage("corrupt JPEG: no marker at byte " + pos);
      int marker = m.get(1) & 0xFF;
      if (marker == 0xFF) {   // fill byte
        pos++;
        continue;
      }
      if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        pos += 2;
        continue;
      }
      if (marker == 0xD9) break;
      if (m.remaining() < 4) break;
      int len = m.getShort(2) & 0xFFFF;
      if (len < 2) throw new BadImage("corrupt JPEG: segment length " + len + " at byte " + pos);
      if (marker == 0xDA) {
        sos = pos;
        break;
      }
      boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        ByteBuffer s = src.read(pos + 4, 6).order(ByteOrder.BIG_ENDIAN);
        if (s.remaining() < 6) break;
        hgt = s.getShort(1) & 0xFFFF;
        w = s.getShort(3) & 0xFFFF;
        comps = s.get(5) & 0xFF;
      } else if (marker == 0xE1 && orientation == 1) {
        byte[] seg = bytes(src.read(pos + 4, len - 2));
        if (seg.length >= 6 && seg[0] == 'E' && seg[1] == 'x' && seg[2] == 'i' && seg[3] == 'f') orientation = Exif.orientation(seg);
      } else if (marker == 0xEE) {
        byte[] seg = bytes(src.read(pos + 4, Math.min(len - 2, 12)));
        adobe = seg.length >= 5 && new String(seg, 0, 5, StandardCharsets.US_ASCII).equals("Adobe");
      }
      pos += 2 + len;
    }
    if (w < 0) throw new BadImage(sos < 0 && pos >= size ? "truncated JPEG: ends before its frame header" : "corrupt JPEG: no frame header before the image data");
    if (w == 0 || hgt == 0) throw new BadImage("unsupported JPEG: height given after the image data (DNL marker)");
    if (sos < 0) throw new BadImage("truncated JPEG: ends before the image data");
    // the entropy-coded data never holds FF D9 (FF is always stuffed), so its absence means the file was cut
    if (!tailHas(src, size, new byte[] {(byte) 0xFF, (byte) 0xD9}, sos))
      throw new BadImage("truncated JPEG: no end-of-image marker (file cut short?)");
    String color = switch (comps) {
      case 1 -> "gray";
      case 3 -> "rgb";
      case 4 -> adobe ? "cmyk" : "cmyk (no Adobe marker)";
      default -> throw new BadImage("unsupported JPEG: " + comps + " colour components");
    };
    return new ImageHeader("jpeg", w, hgt, orientation, false, false, color);
  }

  // ---- WebP: RIFF container; VP8 (lossy), VP8L (lossless) or VP8X (extended: alpha, animation, EXIF)

  private static ImageHeader webp(Source src, long size) throws IOException, BadImage {
    ByteBuffer riff = need(src, 0, 20, "WebP header");
    riff = src.read(0, 30).order(ByteOrder.LITTLE_ENDIAN);
    long riffSize = riff.getInt(4) & 0xFFFFFFFFL;
    if (riffSize + 8 > size) throw new BadImage("truncated WebP: " + size + " bytes, the header promises " + (riffSize + 8));
    String first = fourcc(riff, 12);
    switch (first) {
      case "VP8 " -> {
        if (riff.remaining() < 30) throw new BadImage("truncated WebP: too short for the VP8 frame header");
        if ((riff.get(23) & 0xFF) != 0x9D || (riff.get(24) & 0xFF) != 0x01 || (riff.get(25) & 0xFF) != 0x2A)
          throw new BadImage("corrupt WebP: bad VP8 start code");
        int w = riff.getShort(26) & 0x3FFF;
        int hgt = riff.getShort(28) & 0x3FFF;
        return new ImageHeader("webp", w, hgt, 1, false, false, "rgb");
      }
      case "VP8L" -> {
        if (riff.remaining() < 25) throw new BadImage("truncated WebP: too short for the VP8L header");
        if ((riff.get(20) & 0xFF) != 0x2F) throw new BadImage("corrupt WebP: bad VP8L signature");
        int bits = riff.getInt(21);
        int w = (bits & 0x3FFF) + 1;
        int hgt = ((bits >>> 14) & 0x3FFF) + 1;
        boolean alpha = ((bits >>> 28) & 1) == 1;
        return new ImageHeader("webp", w, hgt, 1, alpha, false, alpha ? "rgba" : "rgb");
      }
      case "VP8X" -> {
        if (riff.remaining() < 30) throw new BadImage("truncated WebP: too short for the VP8X header");
        int flags = riff.get(20) & 0xFF;
        int w = u24(riff, 24) + 1;
        int hgt = u24(riff, 27) + 1;
        boolean alpha = (flags & 0x10) != 0;
        boolean animated = (flags & 0x02) != 0;
        int orientation = 1;
        if ((flags & 0x08) != 0) {
          long pos = 12;
          for (int guard = 0; guard < 100_000 && pos + 8 <= size; guard++) {
            ByteBuffer c = src.read(pos, 8).order(ByteOrder.LITTLE_ENDIAN);
            long len = c.getInt(4) & 0xFFFFFFFFL;
            if (fourcc(c, 0).equals("EXIF") && len < (1 << 20)) {
              orientation = Exif.orientation(bytes(src.read(pos + 8, (int) len)));
              break;
            }
            pos += 8 + len + (len & 1);
          }
        }
        return new ImageHeader("webp", w, hgt, orientation, alpha, animated, alpha ? "rgba" : "rgb");
      }
      default -> throw new BadImage("corrupt WebP: unknown first chunk '" + first.strip() + "'");
    }
  }

  // ---- GIF: logical screen size; a NETSCAPE2.0 loop extension before the first frame marks an animation

  private static ImageHeader gif(Source src, long size) throws IOException, BadImage {
    ByteBuffer g = need(src, 0, 13, "GIF header").order(ByteOrder.LITTLE_ENDIAN);
    int w = g.getShort(6) & 0xFFFF;
    int hgt = g.getShort(8) & 0xFFFF;
    int packed = g.get(10) & 0xFF;
    if (w == 0 || hgt == 0) throw new BadImage("corrupt GIF: size " + w + "x" + hgt);
    long pos = 13 + ((packed & 0x80) != 0 ? 3L << ((packed & 7) + 1) : 0);
    boolean animated = false;
    boolean alpha = false;
    for (int guard = 0; guard < 10_000 && pos < size; guard++) {
      ByteBuffer b = src.read(pos, 14);
      if (b.remaining() < 1) break;
      int kind = b.get(0) & 0xFF;
      if (kind != 0x21 || b.remaining() < 3) break;   // image descriptor, trailer or junk: stop
      int label = b.get(1) & 0xFF;
      if (label == 0xFF && b.remaining() >= 14 && new String(bytes(src.read(pos + 3, 11)), StandardCharsets.US_ASCII).startsWith("NETSCAPE"))
        animated = true;
      if (label == 0xF9 && b.remaining() >= 4 && (b.get(3) & 1) != 0) alpha = true;
      pos += 2;
      for (int sub = 0; sub < 100_000; sub++) {   // sub-blocks: a length byte, then that many bytes; 0 ends
        ByteBuffer l = src.read(pos, 1);
        if (l.remaining() < 1) break;
        int n = l.get(0) & 0xFF;
        pos += 1 + n;
        if (n == 0) break;
      }
    }
    return new ImageHeader("gif", w, hgt, 1, alpha, animated, "palette");
  }

  // ---- BMP: BITMAPFILEHEADER + DIB header (OS/2 core or Windows info)

  private static ImageHeader bmp(Source src, long size) throws IOException, BadImage {
    need(src, 0, 26, "BMP header");
    ByteBuffer b = src.read(0, 30).order(ByteOrder.LITTLE_ENDIAN);
    long declared = b.getInt(2) & 0xFFFFFFFFL;
    int dib = b.getInt(14);
    int w;
    int hgt;
    int bpp;
    if (dib == 12) {
      w = b.getShort(18) & 0xFFFF;
      hgt = b.getShort(20) & 0xFFFF;
      bpp = b.getShort(24) & 0xFFFF;
    } else if (dib >= 40 && dib <= 1024) {
      if (b.remaining() < 30) throw new BadImage("truncated: " + size + " bytes, too short for the BMP header");
      w = b.getInt(18);
      hgt = Math.abs(b.getInt(22));   // negative height = rows stored top-down
      bpp = b.getShort(28) & 0xFFFF;
    } else {
      throw new BadImage("corrupt BMP: DIB header size " + dib);
    }
    if (w <= 0 || hgt <= 0) throw new BadImage("corrupt BMP: size " + w + "x" + hgt);
    if (declared > size) throw new BadImage("truncated BMP: " + size + " bytes, the header promises " + declared);
    boolean alpha = bpp == 32 && dib >= 56 && src.read(14 + 52, 4).remaining() == 4 && src.read(14 + 52, 4).getInt() != 0;
    String color = bpp <= 8 ? "palette" : alpha ? "rgba" : "rgb";
    return new ImageHeader("bmp", w, hgt, 1, alpha, false, color);
  }

  // ---- helpers

  private static ByteBuffer need(Source src, long pos, int n, String what) throws IOException, BadImage {
    ByteBuffer b = src.read(pos, n);
    if (b.remaining() < n) throw new BadImage("truncated: " + src.size() + " bytes, too short for the " + what);
    return b.order(ByteOrder.BIG_ENDIAN);
  }

  /** Whether {@code pattern} occurs in the last 4 KiB of the data (but not before {@code from}). */
  private static boolean tailHas(Source src, long size, byte[] pattern, long from) throws IOException {
    long start = Math.max(from, size - 4096);
    byte[] tail = bytes(src.read(start, (int) (size - start)));
    outer:
    for (int i = tail.length - pattern.length; i >= 0; i--) {
      for (int j = 0; j < pattern.length; j++) if (tail[i + j] != pattern[j]) continue outer;
      return true;
    }
    return false;
  }

  private static boolean startsWith(byte[] h, int... sig) {
    if (h.length < sig.length) return false;
    for (int i = 0; i < sig.length; i++) if ((h[i] & 0xFF) != sig[i]) return false;
    return true;
  }

  private static String fourcc(ByteBuffer b, int at) {
    byte[] s = new byte[4];
    for (int i = 0; i < 4; i++) s[i] = b.get(at + i);
    return new String(s, StandardCharsets.ISO_8859_1);
  }

  private static int u24(ByteBuffer b, int at) {
    return (b.get(at) & 0xFF) | (b.get(at + 1) & 0xFF) << 8 | (b.get(at + 2) & 0xFF) << 16;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
