package dev.lathe.data;

import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An ImageIO input over a byte array that refuses to be read past its end for long. Some decoders treat the end
 * of the data as zeros and keep going, which on a damaged file claiming a large size can take hours; after
 * {@link #MAX_EOF_READS} reads at the end this stream throws instead, and the file is reported as cut short.
 */
final class ByteImageStream extends ImageInputStreamImpl {
  static final int MAX_EOF_READS = 4096;

  private final byte[] data;
  private int eofReads;

  ByteImageStream(byte[] data) {
    this.data = data;
  }

  @Override
  public int read() {
    bitOffset = 0;
    if (streamPos >= data.length) return eof();
    return data[(int) streamPos++] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    bitOffset = 0;
    if (len == 0) return 0;
    if (streamPos >= data.length) return eof();
    int n = (int) Math.min(len, data.length - streamPos);
    System.arraycopy(data, (int) streamPos, b, off, n);
    streamPos += n;
    return n;
  }

  @Override
  public long length() {
    return data.length;
  }

  private int eof() {
    if (++eofReads > MAX_EOF_READS) throw new IllegalStateException("image data ends early (the decoder read far past the end)");
    return -1;
  }
}
