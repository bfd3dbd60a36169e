package io.arborcast.cli;

import io.arborcast.crypto.NodeIdentity;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * A node's identity as the CLI keeps it: in a key file (by default one per port in the data
 * directory, so a node restarted on its port is the same node to its peers, and nodes on other
 * ports of the same machine are others), locked while a process runs a node with it: two running
 * nodes with one id would each take the other's place in every routing table. Or a new identity
 * each run, kept nowhere ({@code file} null).
 */
final class NodeKey implements AutoCloseable {
    final NodeIdentity identity;
    /** Where the key is kept, or null: a new key this run. */
    final Path file;
    private final FileChannel lock;

    private NodeKey(NodeIdentity identity, Path file, FileChannel lock) {
        this.identity = identity;
        this.file = file;
        this.lock = lock;
    }

    /** A new identity for this run only. */
    static NodeKey fresh(int difficulty) {
        return new NodeKey(NodeIdentity.generate(difficulty), null, null);
    }

    /** The identity kept in {@code file} (created, with its directory, on first use), locked until {@link #close}. */
    static NodeKey open(Path file, int difficulty) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: keep the platform default
            }
        }
        FileChannel ch = FileChannel.open(file.resolveSibling(file.getFileName() + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            FileLock held = tryLock(ch);
            if (held == null) {
                throw new IOException("node key " + file + " is in use by another running node (one node per key: give"
                        + " this one its own with --data DIR or --node-key FILE, or --node-key none)");
            }
            return new NodeKey(NodeIdentity.loadOrCreate(file, difficulty), file, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel ch) throws IOException {
        try {
            return ch.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // held by this process already
        }
    }

    /**
     * Where a user's application data goes on this platform: {@code $XDG_DATA_HOME/arborcast},
     * else {@code ~/.local/share/arborcast}; on macOS {@code ~/Library/Application Support/arborcast},
     * on Windows {@code %APPDATA%\arborcast}.
     */
    static Path defaultDataDir(Map<String, String> env, String osName, String home) {
        String xdg = env.get("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "arborcast");
        }
        if (osName.startsWith("Mac")) {
            return Path.of(home, "Library", "Application Support", "arborcast");
        }
        String appData = env.get("APPDATA");
        if (osName.startsWith("Windows") && appData != null && !appData.isBlank()) {
            return Path.of(appData, "arborcast");
        }
        return Path.of(home, ".local", "share", "arborcast");
    }

    @Override
    public void close() throws IOException {
        if (lock != null) {
            lock.close(); // releases the lock
        }
    }
}
