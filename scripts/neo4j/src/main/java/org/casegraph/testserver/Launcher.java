package org.casegraph.testserver;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Starts an in-process Neo4j Community server with Bolt on a loopback port, for tests and CI.
 *
 * <p>Usage: {@code Launcher --home DIR --port N --ready-file FILE [--watch-stdin] [--no-auth]}.
 * With auth (the default) the user {@code neo4j} gets the password from the environment variable
 * {@code NEO4J_PASSWORD} (at least 8 characters). The ready file is written (atomically, holding
 * the Bolt URI) once Bolt accepts connections, and removed on shutdown. The server stops cleanly
 * on SIGTERM/SIGINT (JVM shutdown hook) and, with {@code --watch-stdin}, when standard input
 * closes.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Path home = null;
        Path readyFile = null;
        int port = 0;
        boolean watchStdin = false;
        boolean auth = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home" -> home = Path.of(args[++i]);
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--ready-file" -> readyFile = Path.of(args[++i]);
                case "--watch-stdin" -> watchStdin = true;
                case "--no-auth" -> auth = false;
                default -> fail("unknown argument: " + args[i]);
            }
        }
        if (home == null || readyFile == null || port <= 0) {
            fail("usage: Launcher --home DIR --port N --ready-file FILE [--watch-stdin] [--no-auth]");
        }
        String password = System.getenv("NEO4J_PASSWORD");
        if (auth && (password == null || password.length() < 8)) {
            fail("NEO4J_PASSWORD must be set (at least 8 characters), or pass --no-auth");
        }
        Files.deleteIfExists(readyFile);
        long started = System.nanoTime();

        DatabaseManagementService service = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                .setConfig(GraphDatabaseSettings.pagecache_memory, 256L * 1024 * 1024)
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(5))
                // Bolt waits 5 s twice on shutdown by default; a test server need not.
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(500))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(500))
                .build();
        log(started, "database started");

        final Path ready = readyFile;
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(ready);
            } catch (IOException ignored) {
                // best effort: the script also removes it
            }
            service.shutdown();
            stopped.countDown();
        }, "neo4j-shutdown"));

        if (auth) {
            // Embedded transactions run without a login, so they may set the first password.
            service.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
            log(started, "password set");
        }

        waitForBolt(port, Duration.ofSeconds(60));
        String uri = "bolt://127.0.0.1:" + port + "\n";
        Path tmp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
        Files.writeString(tmp, uri, StandardCharsets.UTF_8);
        Files.move(tmp, readyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("neo4j-test-server ready at " + uri.strip());

        if (watchStdin) {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            while (in.read(buffer) >= 0) {
                // discard: only the end of input matters
            }
            System.exit(0);
        }
        stopped.await();
    }

    private static void waitForBolt(int port, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        fail("Bolt did not accept connections on port " + port + " within " + limit);
    }

    private static void log(long since, String what) {
        System.out.printf("neo4j-test-server: %s after %.1f s%n", what, (System.nanoTime() - since) / 1e9);
    }

    private static void fail(String message) {
        System.err.println("neo4j-test-server: " + message);
        System.exit(2);
    }
}
