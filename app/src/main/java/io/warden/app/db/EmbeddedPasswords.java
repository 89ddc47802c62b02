package io.warden.app.db;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * The passwords of the embedded PostgreSQL's superuser and of the application role, and the owner-only file in
 * the data folder that keeps them. The file sits among PostgreSQL's own files, which PostgreSQL ignores, so that
 * it travels with the cluster it unlocks (a copy of the folder without it cannot be opened). Nothing prints the
 * passwords: {@link #toString()} is redacted.
 *
 * @param superuser   password of {@code postgres}, the schema owner Flyway migrates as
 * @param application password of the application role the pool connects as
 */
record EmbeddedPasswords(String superuser, String application) {

    /** The file's name inside the data folder. */
    static final String FILE_NAME = "warden-passwords.properties";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    // SecureRandom and not the injected, seedable source: a password must not be reproducible
    private static final SecureRandom RANDOM = new SecureRandom();

    EmbeddedPasswords {
        if (superuser.isBlank() || application.isBlank()) {
            throw new IllegalArgumentException("passwords must not be blank");
        }
    }

    /** Two fresh passwords of 256 random bits each. */
    static EmbeddedPasswords generate() {
        return new EmbeddedPasswords(randomPassword(), randomPassword());
    }

    private static String randomPassword() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        // URL-safe base64: no quote, backslash or newline that a pwfile or a properties file would mangle
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static Path fileIn(Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    /**
     * Reads the passwords of the cluster in {@code dataDir}, refusing a file that others than its owner may
     * read (they may have read the passwords too) and one without both passwords.
     *
     * @throws IllegalStateException when the file is missing, unreadable, not owner-only or incomplete; the
     *                               message says what to do
     */
    static EmbeddedPasswords read(Path dataDir) {
        Path file = fileIn(dataDir);
        if (posix(file)) {
            Set<PosixFilePermission> permissions;
            try {
                permissions = Files.getPosixFilePermissions(file);
            } catch (NoSuchFileException e) {
                throw missing(dataDir, file);
            } catch (IOException e) {
                throw unreadable(file, e);
            }
            if (!OWNER_ONLY.containsAll(permissions)) {
                throw new IllegalStateException(
                        "The embedded PostgreSQL's password file " + file + " may be read by others than its owner ("
                                + PosixFilePermissions.toString(permissions)
                                + "); Warden does not use passwords that others may have read. "
                                + "If nobody else could have read it, make it owner-only (chmod 600) and start again");
            }
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw missing(dataDir, file);
        } catch (IOException | IllegalArgumentException e) {
            throw unreadable(file, e);
        }
        String superuser = properties.getProperty("superuser", "");
        String application = properties.getProperty("application", "");
        if (superuser.isBlank() || application.isBlank()) {
            throw new IllegalStateException(
                    "The embedded PostgreSQL's password file " + file
                            + " lacks the superuser's or the application's password; restore it from a backup of the data folder");
        }
        return new EmbeddedPasswords(superuser, application);
    }

    private static IllegalStateException missing(Path dataDir, Path file) {
        return new IllegalStateException(
                "The embedded PostgreSQL in " + dataDir + " requires passwords, but its password file "
                        + file
                        + " is missing. Restore it from a backup of the data folder; if the folder holds nothing worth keeping "
                        + "(a first start that was interrupted), delete the folder and start again");
    }

    private static IllegalStateException unreadable(Path file, Exception e) {
        String why = e instanceof AccessDeniedException
                ? "access denied"
                : e.getClass().getSimpleName();
        return new IllegalStateException(
                "Could not read the embedded PostgreSQL's password file " + file + " (" + why
                        + "); Warden must run as the user who owns the data folder",
                e);
    }

    /** Writes the file owner-only, atomically: a crash leaves the old file or the new one, never half of one. */
    void writeTo(Path dataDir) {
        Path file = fileIn(dataDir);
        Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
        String text =
                "# Passwords of this embedded PostgreSQL, generated by Warden. Owner-only; keep this file with the folder.\n"
                        + "superuser=" + superuser + "\n"
                        + "application=" + application + "\n";
        try {
            Files.deleteIfExists(temporary);
            createOwnerOnly(temporary);
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the embedded PostgreSQL's password file " + file, e);
        }
    }

    /** Creates an empty file that only its owner may read, with the mode set at creation (no window). */
    static void createOwnerOnly(Path file) throws IOException {
        if (posix(Objects.requireNonNullElse(
                file.getParent(), Path.of("")))) { // a bare name lives in the working directory
            FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
            Files.createFile(file, ownerOnly);
            // the umask may have taken bits away, never added any; set the mode anyway
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } else {
            Files.createFile(file);
        }
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    @Override
    public String toString() {
        return "EmbeddedPasswords[***]";
    }
}
