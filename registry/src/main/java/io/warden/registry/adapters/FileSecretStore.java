package io.warden.registry.adapters;

import io.warden.registry.SecretStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.regex.Pattern;

/** Secrets as files readable by Warden's user alone: {@code <folder>/<name>.secret}, created with mode 0600. */
public final class FileSecretStore implements SecretStore {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private final Path folder;

    public FileSecretStore(Path folder) {
        this.folder = folder;
    }

    @Override
    public void put(String name, String secret) {
        Path file = file(name);
        try {
            Files.createDirectories(folder);
            Files.deleteIfExists(file);
            try {
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file); // a file system without POSIX permissions
            }
            Files.writeString(file, secret, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not store the secret " + name + " in " + folder, e);
        }
    }

    @Override
    public Optional<String> get(String name) {
        Path file = file(name);
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the secret " + name + " in " + folder, e);
        }
    }

    @Override
    public void delete(String name) {
        try {
            Files.deleteIfExists(file(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Not a usable secret name: " + name);
        }
        return folder.resolve(name + ".secret");
    }
}
