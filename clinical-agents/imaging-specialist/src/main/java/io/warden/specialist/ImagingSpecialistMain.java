package io.warden.specialist;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;

/**
 * The command line: {@code imaging-specialist --client-id ID --secret-file FILE --text "..."} (flags and their
 * environment variables in {@link SpecialistSettings#USAGE}). Exits 0 with an answer, 3 when Warden refused a step, 2
 * for invalid settings, 1 when Warden could not be reached or answered out of shape.
 */
public final class ImagingSpecialistMain {

    private ImagingSpecialistMain() {}

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println(SpecialistSettings.USAGE);
            System.exit(0);
        }
        SpecialistSettings settings;
        try {
            settings = SpecialistSettings.parse(args, System.getenv());
        } catch (SpecialistSettings.Invalid e) {
            err.println("imaging-specialist: " + e.getMessage());
            err.println();
            err.println(SpecialistSettings.USAGE);
            System.exit(2);
            return;
        }
        SecureRandom random = new SecureRandom();
        Outcome outcome =
                SpecialistCommand.run(settings, out, ImagingSpecialist.StepListener.NONE, Clock.systemUTC(), () -> {
                    byte[] bytes = new byte[8];
                    random.nextBytes(bytes);
                    return "specialist-" + HexFormat.of().formatHex(bytes);
                });
        System.exit(outcome.exitCode());
    }
}
