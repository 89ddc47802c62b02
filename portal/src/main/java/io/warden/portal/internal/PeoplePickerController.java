package io.warden.portal.internal;

import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The people a form offers to choose from, found by name or e-mail address in the directory: the reassign form of the
 * agent page swaps this list in as one types. Only those who may reassign an owner may search (the portal's security
 * chain: administrators), so the directory is not a phone book for every signed-in role. The directory refuses
 * hostile text (too long, control characters) with a problem naming {@code q}.
 */
@Controller
class PeoplePickerController {

    /** A handful: a picker is read, not scrolled. */
    static final int SHOWN = 10;

    private final Directory directory;

    PeoplePickerController(Directory directory) {
        this.directory = directory;
    }

    @GetMapping("/portal/people")
    String people(@RequestParam(defaultValue = "") String q, Model model) {
        String text = Directory.searchText(q);
        model.addAttribute("people", choices(directory, text));
        model.addAttribute("q", text);
        return "portal/pickers :: people";
    }

    /** The people found for the text; nobody for blank text. */
    static List<DirectoryUser> choices(Directory directory, String text) {
        return text.isBlank() ? List.of() : directory.searchUsers(text, SHOWN);
    }
}
