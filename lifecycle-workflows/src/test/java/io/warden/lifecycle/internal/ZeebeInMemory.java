package io.warden.lifecycle.internal;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Zeebe engine (zeebe-process-test-engine 8.6, in memory, no Docker) in a class loader of its own:
 * its gRPC, protobuf and BPMN-model jars clash with camunda-client-java 8.9's, so nothing of it is on the
 * test classpath and it is only reached through gRPC and the five calls below (docs/adr/0011-zeebe-contract.md).
 * The classpath comes from the {@code zeebe-test-engine} module, named by the system property
 * {@code warden.zeebe.classpath}.
 */
final class ZeebeInMemory implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URLClassLoader loader;
    private final Object engine;

    private ZeebeInMemory(URLClassLoader loader, Object engine) {
        this.loader = loader;
        this.engine = engine;
    }

    static ZeebeInMemory start() {
        String listing = System.getProperty("warden.zeebe.classpath");
        if (listing == null || !Files.isRegularFile(Path.of(listing))) {
            throw new IllegalStateException("No Zeebe test engine classpath at " + listing
                    + "; build with -am so that lifecycle-workflows/zeebe-test-engine writes it");
        }
        URLClassLoader loader;
        try {
            List<URL> urls = new ArrayList<>();
            for (String jar : Files.readString(Path.of(listing)).trim().split(File.pathSeparator)) {
                urls.add(Path.of(jar).toUri().toURL());
            }
            // the platform loader as parent: the JDK only, none of the test's jars
            loader = new URLClassLoader(
                    "zeebe-test-engine", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        } catch (IOException e) {
            throw new IllegalStateException("Could not read the Zeebe test engine classpath " + listing, e);
        }
        Object engine = inLoader(loader, () -> {
            Object created = loader.loadClass("io.camunda.zeebe.process.test.engine.EngineFactory")
                    .getMethod("create")
                    .invoke(null);
            api(loader, "start").invoke(created);
            return created;
        });
        return new ZeebeInMemory(loader, engine);
    }

    /** The gateway as the client's gRPC address, e.g. {@code http://localhost:26500}. */
    URI grpcAddress() {
        String address = (String) call("getGatewayAddress");
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Moves the engine's clock on: timers due by then fire. */
    void increaseTime(Duration duration) {
        call("increaseTime", duration);
    }

    /** The engine's log so far, each record as the JSON Zeebe exports. */
    List<JsonNode> records() {
        return inLoader(loader, () -> {
            Object source = api(loader, "getRecordStreamSource").invoke(engine);
            Method getRecords = loader.loadClass("io.camunda.zeebe.process.test.api.RecordStreamSource")
                    .getMethod("getRecords");
            List<JsonNode> records = new ArrayList<>();
            for (Object record : (Iterable<?>) getRecords.invoke(source)) {
                Method toJson = record.getClass().getMethod("toJson");
                toJson.setAccessible(true);
                records.add(JSON.readTree((String) toJson.invoke(record)));
            }
            return records;
        });
    }

    @Override
    public void close() throws IOException {
        try {
            call("stop");
        } finally {
            loader.close();
        }
    }

    private Object call(String name, Object... arguments) {
        return inLoader(loader, () -> {
            for (Method method : loader.loadClass("io.camunda.zeebe.process.test.api.ZeebeTestEngine")
                    .getMethods()) {
                if (method.getName().equals(name) && method.getParameterCount() == arguments.length) {
                    return method.invoke(engine, arguments);
                }
            }
            throw new NoSuchMethodException(name);
        });
    }

    private static Method api(ClassLoader loader, String name) throws ReflectiveOperationException {
        return loader.loadClass("io.camunda.zeebe.process.test.api.ZeebeTestEngine")
                .getMethod(name);
    }

    /** Runs {@code work} with the engine's loader as context loader: the threads it starts inherit it. */
    private static <T> T inLoader(ClassLoader loader, Callable<T> work) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return work.call();
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("The Zeebe test engine failed", e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("Could not drive the Zeebe test engine", e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
