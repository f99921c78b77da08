package dev.lathe.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.awt.color.ColorSpace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.function.BiPredicate;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * Builds every image kind the pipeline must read, in memory: ImageIO for PNG, JPEG, BMP and GIF; WebP by hand
 * (a lossless VP8L bitstream with one- or two-symbol prefix codes, valid per the WebP spec); EXIF blocks, PNG
 * chunks and the Adobe APP14 marker of CMYK JPEGs spliced into the bytes.
 */
final class TestImages {
  private TestImages() {}

  // ---- pictures

  /** Solid colour, packed 0xRRGGBB. */
  static BufferedImage solid(int w, int h, int rgb) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(rgb));
    g.fillRect(0, 0, w, h);
    g.dispose();
    return img;
  }

  /** Left half {@code left}, right half {@code right}: shows mirroring and rotation. */
  static BufferedImage halves(int w, int h, int left, int right) {
    BufferedImage img = solid(w, h, left);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(right));
    g.fillRect(w / 2, 0, w - w / 2, h);
    g.dispose();
    return img;
  }

  /** Top half {@code top}, bottom half {@code bottom}. */
  static BufferedImage stacked(int w, int h, int top, int bottom) {
    BufferedImage img = solid(w, h, top);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(bottom));
    g.fillRect(0, h / 2, w, h - h / 2);
    g.dispose();
    return img;
  }

  // ---- encoders

  static byte[] encode(BufferedImage img, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(img, format, out)) throw new IllegalStateException("no " + format + " writer for type " + img.getType());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] png(BufferedImage img) {
    return encode(img, "png");
  }

  static byte[] bmp(BufferedImage img) {
    return encode(img, "bmp");
  }

  /** JPEG at quality 1.0 through the JDK writer. */
  static byte[] jpeg(BufferedImage img) {
    return jpegRaster(img, null);
  }

  private static byte[] jpegRaster(BufferedImage img, Raster raster) {
    ImageWriter w = jdkJpegWriter();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      w.setOutput(ios);
      ImageWriteParam p = w.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(1f);
      w.write(null, img != null ? new IIOImage(img, null, null) : new IIOImage(raster, null, null), p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      w.dispose();
    }
    return out.toByteArray();
  }

  private static ImageWriter jdkJpegWriter() {
    for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg"); it.hasNext(); ) {
      ImageWriter w = it.next();
      if (w.getClass().getName().startsWith("com.sun.")) return w;
    }
    return ImageIO.getImageWritersByFormatName("jpeg").next();
  }

  /**
   * A solid CMYK JPEG as Photoshop writes them: four components, an Adobe APP14 marker with transform 0, and the
   * ink values stored inverted (255 - ink).
   */
  static byte[] cmykJpeg(int w, int h, int c, int m, int y, int k) {
    WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
    int[] ink = {255 - c, 255 - m, 255 - y, 255 - k};
    for (int yy = 0; yy < h; yy++) for (int x = 0; x < w; x++) r.setPixel(x, yy, ink);
    byte[] jpg = jpegRaster(null, r);
    byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
    return insert(jpg, 2, adobe);
  }

  /** 16-bit grayscale PNG with every sample = {@code value}. */
  static byte[] gray16Png(int w, int h, int value) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.getRaster().setSample(x, y, 0, value);
    return png(img);
  }

  /** 16-bit RGB PNG, every pixel (r, g, b) in 0..65535. */
  static byte[] rgb16Png(int w, int h, int r, int g, int b) {
    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), new int[] {16, 16, 16},
        false, false, java.awt.Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
    WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) raster.setPixel(x, y, new int[] {r, g, b});
    return png(new BufferedImage(cm, raster, false, null));
  }

  /** 8-bit grayscale PNG. */
  static byte[] grayPng(int w, int h, int value) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.getRaster().setSample(x, y, 0, value);
    return png(img);
  }

  /** Palette PNG: left half palette entry 0, right half entry 1. */
  static byte[] palettePng(int w, int h, int rgb0, int rgb1) {
    byte[] r = {(byte) (rgb0 >> 16), (byte) (rgb1 >> 16)};
    byte[] g = {(byte) (rgb0 >> 8), (byte) (rgb1 >> 8)};
    byte[] b = {(byte) rgb0, (byte) rgb1};
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(1, 2, r, g, b));
    for (int y = 0; y < h; y++) for (int x = w / 2; x < w; x++) img.getRaster().setSample(x, y, 0, 1);
    return png(img);
  }

  /** RGBA PNG: every pixel {@code rgb} with alpha {@code a}. */
  static byte[] rgbaPng(int w, int h, int rgb, int a) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, a << 24 | rgb);
    return png(img);
  }

  /** Animated GIF with a NETSCAPE2.0 loop extension; one solid frame per colour. */
  static byte[] animatedGif(int w, int h, int... colours) {
    ImageWriter wr = ImageIO.getImageWritersByFormatName("gif").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      wr.setOutput(ios);
      wr.prepareWriteSequence(null);
      for (int i = 0; i < colours.length; i++) {
        BufferedImage frame = solid(w, h, colours[i]);
        IIOMetadata md = wr.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(frame), null);
        String fmt = md.getNativeMetadataFormatName();
        IIOMetadataNode root = (IIOMetadataNode) md.getAsTree(fmt);
        IIOMetadataNode gce = new IIOMetadataNode("GraphicControlExtension");
        gce.setAttribute("disposalMethod", "none");
        gce.setAttribute("userInputFlag", "FALSE");
        gce.setAttribute("transparentColorFlag", "FALSE");
        gce.setAttribute("delayTime", "10");
        gce.setAttribute("transparentColorIndex", "0");
        root.appendChild(gce);
        if (i == 0) {
          IIOMetadataNode aes = new IIOMetadataNode("ApplicationExtensions");
          IIOMetadataNode ae = new IIOMetadataNode("ApplicationExtension");
          ae.setAttribute("applicationID", "NETSCAPE");
          ae.setAttribute("authenticationCode", "2.0");
          ae.setUserObject(new byte[] {1, 0, 0});
          aes.appendChild(ae);
          root.appendChild(aes);
        }
        md.setFromTree(fmt, root);
        wr.writeToSequence(new IIOImage(frame, null, md), null);
      }
      wr.endWriteSequence();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      wr.dispose();
    }
    return out.toByteArray();
  }

  // ---- EXIF

  /** A big-endian TIFF block holding only IFD0 with the Orientation tag, behind "Exif\0\0". */
  static byte[] exif(int orientation) {
    ByteBuffer b = ByteBuffer.allocate(6 + 8 + 2 + 12 + 4);
    b.put(new byte[] {'E', 'x', 'i', 'f', 0, 0});
    b.put(new byte[] {'M', 'M', 0, 42}).putInt(8);
    b.putShort((short) 1);
    b.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
    b.putInt(0);
    return b.array();
  }

  /** The JPEG with an APP1 Exif segment after SOI (and after a JFIF APP0 if there is one). */
  static byte[] withExif(byte[] jpeg, int orientation) {
    byte[] payload = exif(orientation);
    byte[] seg = new byte[4 + payload.length];
    seg[0] = (byte) 0xFF;
    seg[1] = (byte) 0xE1;
    seg[2] = (byte) ((payload.length + 2) >> 8);
    seg[3] = (byte) (payload.length + 2);
    System.arraycopy(payload, 0, seg, 4, payload.length);
    int at = 2;
    if ((jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0) at = 4 + ((jpeg[4] & 0xFF) << 8 | (jpeg[5] & 0xFF));
    return insert(jpeg, at, seg);
  }

  /** The PNG with an eXIf chunk right after IHDR. */
  static byte[] pngWithExif(byte[] png, int orientation) {
    byte[] tiff = java.util.Arrays.copyOfRange(exif(orientation), 6, exif(orientation).length);
    return insert(png, 33, pngChunk("eXIf", tiff));
  }

  static byte[] pngChunk(String type, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(12 + data.length);
    b.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
    CRC32 crc = new CRC32();
    crc.update(type.getBytes(StandardCharsets.US_ASCII));
    crc.update(data);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  // ---- WebP (lossless VP8L, written bit by bit)

  /**
   * A lossless WebP: pixels where {@code useB} holds are {@code argbB}, the others {@code argbA}. Each channel
   * gets a prefix code of one symbol (0 bits a pixel) or two (1 bit a pixel, the smaller value coded 0).
   */
  static byte[] webp(int w, int h, int argbA, int argbB, BiPredicate<Integer, Integer> useB) {
    return riff(chunk("VP8L", vp8l(w, h, argbA, argbB, useB)));
  }

  /** A still WebP in the extended format with an EXIF chunk. */
  static byte[] webpWithExif(int w, int h, int argbA, int argbB, BiPredicate<Integer, Integer> useB, int orientation) {
    byte[] vp8x = vp8x(0x08, w, h);
    byte[] tiff = java.util.Arrays.copyOfRange(exif(orientation), 6, exif(orientation).length);
    return riff(concat(chunk("VP8X", vp8x), chunk("VP8L", vp8l(w, h, argbA, argbB, useB)), chunk("EXIF", tiff)));
  }

  /**
   * Re-wraps a simple-format lossy WebP (RIFF + one {@code VP8 } chunk) in the extended format with an EXIF
   * chunk carrying {@code orientation}; the compressed frame is kept byte for byte.
   */
  static byte[] lossyWebpWithExif(byte[] simpleVp8, int w, int h, int orientation) {
    if (!new String(simpleVp8, 12, 4, StandardCharsets.US_ASCII).equals("VP8 ")) throw new IllegalArgumentException("not a simple lossy WebP");
    byte[] vp8Chunk = java.util.Arrays.copyOfRange(simpleVp8, 12, simpleVp8.length);   // header, data and pad byte
    byte[] tiff = java.util.Arrays.copyOfRange(exif(orientation), 6, exif(orientation).length);
    return riff(concat(chunk("VP8X", vp8x(0x08, w, h)), vp8Chunk, chunk("EXIF", tiff)));
  }

  /** An animated WebP: one solid ARGB frame per colour, each covering the canvas. */
  static byte[] animatedWebp(int w, int h, int... argb) {
    byte[] body = concat(chunk("VP8X", vp8x(0x02 | 0x10, w, h)), chunk("ANIM", new byte[] {0, 0, 0, 0, 0, 0}));
    for (int c : argb) {
      byte[] frame = chunk("VP8L", vp8l(w, h, c, c, (x, y) -> false));
      ByteBuffer hdr = ByteBuffer.allocate(16);
      put24(hdr, 0);
      put24(hdr, 0);
      put24(hdr, w - 1);
      put24(hdr, h - 1);
      put24(hdr, 100);
      hdr.put((byte) 0x02);   // no blending, no disposal
      body = concat(body, chunk("ANMF", concat(hdr.array(), frame)));
    }
    return riff(body);
  }

  private static byte[] vp8x(int flags, int w, int h) {
    ByteBuffer b = ByteBuffer.allocate(10);
    b.put((byte) flags).put(new byte[3]);
    put24(b, w - 1);
    put24(b, h - 1);
    return b.array();
  }

  private static void put24(ByteBuffer b, int v) {
    b.put((byte) v).put((byte) (v >> 8)).put((byte) (v >> 16));
  }

  private static byte[] vp8l(int w, int h, int argbA, int argbB, BiPredicate<Integer, Integer> useB) {
    Bits bits = new Bits();
    boolean alpha = (argbA >>> 24) != 255 || (argbB >>> 24) != 255;
    bits.put(0x2F, 8);
    bits.put(w - 1, 14);
    bits.put(h - 1, 14);
    bits.put(alpha ? 1 : 0, 1);
    bits.put(0, 3);
    bits.put(0, 1);   // no transform
    bits.put(0, 1);   // no colour cache
    bits.put(0, 1);   // no meta prefix codes
    int[] shifts = {8, 16, 0, 24};   // green, red, blue, alpha
    int[][] codes = new int[4][];
    for (int i = 0; i < 4; i++) {
      int a = argbA >>> shifts[i] & 0xFF;
      int b = argbB >>> shifts[i] & 0xFF;
      codes[i] = a == b ? new int[] {a} : new int[] {Math.min(a, b), Math.max(a, b)};
      simpleCode(bits, codes[i]);
    }
    simpleCode(bits, new int[] {0});   // distance code, unused
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int px = useB.test(x, y) ? argbB : argbA;
        for (int i = 0; i < 4; i++) {
          if (codes[i].length == 2) bits.put((px >>> shifts[i] & 0xFF) == codes[i][1] ? 1 : 0, 1);
        }
      }
    }
    return bits.done();
  }

  private static void simpleCode(Bits b, int[] symbols) {
    b.put(1, 1);   // simple code
    b.put(symbols.length - 1, 1);
    if (symbols[0] < 2) {
      b.put(0, 1);
      b.put(symbols[0], 1);
    } else {
      b.put(1, 1);
      b.put(symbols[0], 8);
    }
    if (symbols.length == 2) b.put(symbols[1], 8);
  }

  private static final class Bits {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    int acc;
    int n;

    void put(int v, int count) {
      for (int i = 0; i < count; i++) {
        acc |= ((v >> i) & 1) << n;
        if (++n == 8) {
          out.write(acc);
          acc = 0;
          n = 0;
        }
      }
    }

    byte[] done() {
      if (n > 0) out.write(acc);
      return out.toByteArray();
    }
  }

  private static byte[] chunk(String fourcc, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(8 + data.length + (data.length & 1)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put(fourcc.getBytes(StandardCharsets.US_ASCII)).putInt(data.length).put(data);
    return b.array();
  }

  private static byte[] riff(byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(12 + body.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(4 + body.length).put("WEBP".getBytes(StandardCharsets.US_ASCII)).put(body);
    return b.array();
  }

  // ---- bytes

  static byte[] insert(byte[] a, int at, byte[] ins) {
    byte[] out = new byte[a.length + ins.length];
    System.arraycopy(a, 0, out, 0, at);
    System.arraycopy(ins, 0, out, at, ins.length);
    System.arraycopy(a, at, out, at + ins.length, a.length - at);
    return out;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }

  static Path write(Path dir, String name, byte[] bytes) {
    try {
      Path p = dir.resolve(name);
      Files.createDirectories(p.getParent());
      Files.write(p, bytes);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path write(Path dir, String name, String text) {
    return write(dir, name, text.getBytes(StandardCharsets.UTF_8));
  }
}
