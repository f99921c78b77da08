package dev.lathe.term;

import java.awt.image.BufferedImage;

/**
 * A sixel decoder for the tests: reads a DCS sixel string (ours or JLine's) into an ARGB image; pixels never painted
 * stay transparent (0). Understands raster attributes, RGB and HLS colour definitions, {@code !n} repeats, {@code $}
 * and {@code -}. Written from the DEC VT340 description, independently of {@link Sixel}.
 */
final class SixelDecoder {
  private SixelDecoder() {}

  static BufferedImage decode(String s) {
    int i = s.indexOf("\u001bP");
    if (i < 0) throw new IllegalArgumentException("no DCS introducer");
    int q = s.indexOf('q', i);
    if (q < 0) throw new IllegalArgumentException("no sixel 'q'");
    int end = s.indexOf("\u001b\\", q);
    if (end < 0) throw new IllegalArgumentException("no string terminator");
    String body = s.substring(q + 1, end);

    // first pass: the extent, in case raster attributes are missing or smaller than the data
    int[] extent = extent(body);
    int w = extent[0], h = extent[1];
    int[] colors = new int[1024];
    int[] px = new int[Math.max(1, w * h)];
    int color = 0, x = 0, band = 0;
    int p = 0;
    while (p < body.length()) {
      char c = body.charAt(p);
      if (c == '"') {                                     // raster attributes, sizes already in extent
        p++;
        while (p < body.length() && (Character.isDigit(body.charAt(p)) || body.charAt(p) == ';')) p++;
      } else if (c == '#') {
        p++;
        int[] nums = new int[5];
        int n = 0;
        int start = p;
        while (p < body.length() && (Character.isDigit(body.charAt(p)) || body.charAt(p) == ';')) p++;
        for (String part : body.substring(start, p).split(";", -1)) if (n < 5) nums[n++] = part.isEmpty() ? 0 : Integer.parseInt(part);
        color = nums[0];
        if (n >= 5) {
          if (nums[1] == 2) colors[color] = pct(nums[2]) << 16 | pct(nums[3]) << 8 | pct(nums[4]);
          else if (nums[1] == 1) colors[color] = hls(nums[2], nums[3], nums[4]);
        }
      } else if (c == '!') {
        p++;
        int start = p;
        while (Character.isDigit(body.charAt(p))) p++;
        int count = Integer.parseInt(body.substring(start, p));
        char d = body.charAt(p++);
        for (int k = 0; k < count; k++) paint(px, w, h, x++, band, d - 63, colors[color]);
      } else if (c == '$') {
        x = 0;
        p++;
      } else if (c == '-') {
        x = 0;
        band++;
        p++;
      } else if (c >= 63 && c <= 126) {
        paint(px, w, h, x++, band, c - 63, colors[color]);
        p++;
      } else {
        p++;                                              // line breaks and other filler
      }
    }
    BufferedImage img = new BufferedImage(Math.max(1, w), Math.max(1, h), BufferedImage.TYPE_INT_ARGB);
    img.setRGB(0, 0, Math.max(1, w), Math.max(1, h), px, 0, Math.max(1, w));
    return img;
  }

  private static void paint(int[] px, int w, int h, int x, int band, int bits, int rgb) {
    for (int r = 0; r < 6; r++) {
      if ((bits & (1 << r)) == 0) continue;
      int y = band * 6 + r;
      if (x < w && y < h) px[y * w + x] = 0xff000000 | rgb;
    }
  }

  private static int[] extent(String body) {
    int w = 0, h = 0, x = 0, band = 0, maxX = 0, maxBand = 0;
    int p = 0;
    while (p < body.length()) {
      char c = body.charAt(p);
      if (c == '"') {
        int start = ++p;
        while (p < body.length() && (Character.isDigit(body.charAt(p)) || body.charAt(p) == ';')) p++;
        String[] a = body.substring(start, p).split(";");
        if (a.length >= 4) {
          w = Integer.parseInt(a[2]);
          h = Integer.parseInt(a[3]);
        }
      } else if (c == '#') {
        p++;
        while (p < body.length() && (Character.isDigit(body.charAt(p)) || body.charAt(p) == ';')) p++;
      } else if (c == '!') {
        int start = ++p;
        while (Character.isDigit(body.charAt(p))) p++;
        x += Integer.parseInt(body.substring(start, p));
        p++;
        maxX = Math.max(maxX, x);
        maxBand = Math.max(maxBand, band);
      } else if (c == '$') {
        x = 0;
        p++;
      } else if (c == '-') {
        x = 0;
        band++;
        p++;
      } else if (c >= 63 && c <= 126) {
        x++;
        maxX = Math.max(maxX, x);
        maxBand = Math.max(maxBand, band);
        p++;
      } else {
        p++;
      }
    }
    return new int[] {w > 0 ? w : maxX, h > 0 ? h : Math.max(1, (maxBand + 1) * 6)};
  }

  private static int pct(int v) {
    return Math.min(255, Math.round(v * 255 / 100f));
  }

  /** DEC HLS: hue 0..360 with 0 = blue, lightness and saturation 0..100. */
  private static int hls(int hDeg, int l, int s) {
    float hue = ((hDeg + 240) % 360) / 360f;             // DEC puts blue at 0, red at 120
    float lf = l / 100f, sf = s / 100f;
    float q = lf < 0.5f ? lf * (1 + sf) : lf + sf - lf * sf;
    float pp = 2 * lf - q;
    int r = Math.round(255 * hue2rgb(pp, q, hue + 1f / 3));
    int g = Math.round(255 * hue2rgb(pp, q, hue));
    int b = Math.round(255 * hue2rgb(pp, q, hue - 1f / 3));
    return r << 16 | g << 8 | b;
  }

  private static float hue2rgb(float p, float q, float t) {
    if (t < 0) t += 1;
    if (t > 1) t -= 1;
    if (t < 1f / 6) return p + (q - p) * 6 * t;
    if (t < 1f / 2) return q;
    if (t < 2f / 3) return p + (q - p) * (2f / 3 - t) * 6;
    return p;
  }
}
