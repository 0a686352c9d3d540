// Why this exists: the development machines and CI have no Docker engine, so the
// official Neo4j image cannot be used. Embedded Neo4j Community plus its Bolt
// connector is a real Neo4j server as far as the Python driver can tell: same
// Cypher, transactions, constraints and authentication. scripts/neo4j fetches
// the jars, compiles this file and runs it in the background.
//
// Usage: java -cp "launcher.jar:lib/*" Launcher HOME_DIR PORT
// The password of user neo4j comes from the ALUMNI_GRAPH_NEO4J_PASSWORD
// environment variable (not argv, so it does not show in `ps`).

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.commandline.admin.security.SetInitialPasswordCommand;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;
import picocli.CommandLine;

public final class Launcher {
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: Launcher HOME_DIR PORT");
            System.exit(2);
        }
        try {
            start(Path.of(args[0]).toAbsolutePath(), Integer.parseInt(args[1]));
        } catch (Throwable t) {
            t.printStackTrace();
            System.out.println("FAILED: " + t);
            System.exit(1); // also runs the shutdown hook, if the DBMS got that far
        }
    }

    private static void start(Path home, int port) throws Exception {
        String password = System.getenv().getOrDefault("ALUMNI_GRAPH_NEO4J_PASSWORD", "alumni-graph-dev");
        // Remembers which password is set, so the (slow, ~5 s) ALTER USER runs only when it changed.
        Path marker = home.resolve("data/alumni-graph-password.sha256");
        String digest = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8)));
        boolean newStore = !Files.exists(home.resolve("data/databases/system"));
        boolean passwordSet = false;
        if (newStore && password.length() >= 8) { // its minimum; shorter ones: ALTER USER below
            // What `neo4j-admin dbms set-initial-password` does: Neo4j reads this when it
            // creates the system database, so user neo4j starts with our password and
            // no forced change.
            passwordSet = new CommandLine(new SetInitialPasswordCommand(new ExecutionContext(home, home.resolve("conf"))))
                    .execute(password) == 0;
        }

        // The store files it keeps in memory: small for tests, the store's size for benchmarks.
        long pageCacheMib = Long.getLong("alumni.pagecache.mib", 256L);
        System.out.println("starting Neo4j in " + home + ", Bolt on 127.0.0.1:" + port);
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
        // Further settings from a file (ALUMNI_GRAPH_NEO4J_CONF), read first: those below win.
        String conf = System.getProperty("alumni.conf");
        if (conf != null) {
            builder.loadPropertiesFromFile(Path.of(conf));
        }
        DatabaseManagementService dbms = builder
                .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.auth_minimum_password_length, 1) // local dev server
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMib))
                // Keep the transaction logs small: this is a throwaway dev/CI database.
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(32))
                // Internal setting: don't idle 5 s in Bolt's shutdown (makes `scripts/neo4j stop` quick).
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();
        // SIGTERM (scripts/neo4j stop) runs this: a clean shutdown flushes and closes the stores.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("SHUTTING DOWN");
            dbms.shutdown();
            System.out.println("STOPPED");
        }, "neo4j-shutdown"));

        if (!passwordSet && !(Files.exists(marker) && Files.readString(marker).equals(digest))) {
            // Existing store (or short password): embedded transactions have full
            // privileges, so set the password through the system database.
            GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
            try {
                system.executeTransactionally(
                        "ALTER USER neo4j SET PLAINTEXT PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
            } catch (QueryExecutionException e) {
                // Neo4j refuses to "change" a password to the one already set: that is fine.
                if (!String.valueOf(e.getMessage()).contains("Old password and new password cannot be the same")) {
                    throw e;
                }
                system.executeTransactionally("ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED");
            }
        }
        Files.writeString(marker, digest);
        // Warm up Cypher so the first client query is not the slow one.
        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
        long ms = System.currentTimeMillis()
                - ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
        System.out.println("READY bolt://127.0.0.1:" + port + " (" + ms + " ms after JVM start)");
    }
}
