package dev.lathe.torch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AllocatorTest {
  // /proc/self/maps lines as Linux writes them: address, perms, offset, dev, inode, then the path (if any)
  private static final String LIBC = "7f1c2a800000-7f1c2a828000 r--p 00000000 08:01 1837 /usr/lib/x86_64-linux-gnu/libc.so.6";
  private static final String HEAP = "55d0c4a1e000-55d0c4a3f000 rw-p 00000000 00:00 0                          [heap]";
  private static final String ANON = "7f1c2a000000-7f1c2a021000 rw-p 00000000 00:00 0 ";

  @Test
  void glibcWhenNoOtherMallocIsMapped() {
    assertThat(Allocator.fromMaps(List.of(HEAP, ANON, LIBC))).isEqualTo("glibc malloc");
    assertThat(Allocator.isSystem(Allocator.fromMaps(List.of()))).isTrue();
  }

  @Test
  void namesAPreloadedTcmallocByItsFile() {
    String tc = "7f1c2b000000-7f1c2b00a000 r-xp 00002000 08:01 4242 /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4.5.10";
    String found = Allocator.fromMaps(List.of(ANON, tc, LIBC));
    assertThat(found).isEqualTo("tcmalloc (libtcmalloc_minimal.so.4.5.10)");
    assertThat(Allocator.isSystem(found)).isFalse();
  }

  @Test
  void namesJemallocAndMimalloc_evenWhenTheFileWasReplacedSinceLoading() {
    assertThat(Allocator.fromMaps(List.of(LIBC, "7f00-7f10 r-xp 00000000 08:01 9 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 (deleted)")))
        .isEqualTo("jemalloc (libjemalloc.so.2 (deleted))");
    assertThat(Allocator.fromMaps(List.of("7f00-7f10 r-xp 00000000 08:01 9 /opt/lib/libmimalloc.so.2"))).startsWith("mimalloc (");
  }

  @Test
  void aLibraryThatMerelyMentionsMallocInItsDirectoryIsNotAnAllocator() {
    assertThat(Allocator.fromMaps(List.of("7f00-7f10 r-xp 00000000 08:01 9 /opt/tcmalloc/lib/libfoo.so", LIBC))).isEqualTo("glibc malloc");
  }
}
