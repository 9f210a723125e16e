"""Synthetic, non-graphic text: case excerpts and incident notes.

Excerpts describe what a reviewer would see in neutral, summarised words; they
never contain real harmful content. Two or three variants per subcategory.
"""

from __future__ import annotations

EXCERPTS: dict[str, tuple[str, ...]] = {
    # fraud & scams
    "phishing": ("User asks for a login page that copies a well-known bank's look and collects passwords.",
                 "Request to write urgent account-verification emails with a link to an unfamiliar domain."),
    "investment_scam": ("Messages promise guaranteed 40% weekly returns on a crypto pool and ask for deposits.",
                        "User drafts testimonials for an investment scheme that pays early members from new deposits."),
    "romance_scam": ("Scripted conversation building a relationship, then asking the other person for gift cards.",
                     "User requests messages to convince a match to wire money for a sudden emergency."),
    "payment_fraud": ("User asks how to test batches of card numbers against small online purchases.",
                      "Request for fake invoices that mimic a supplier to redirect payments."),
    "account_takeover": ("Request for scripts that try leaked passwords on many accounts of a shopping site.",
                         "User asks how to bypass a one-time-code check on someone else's account."),
    # spam
    "bulk_messaging": ("Thousands of near-identical promotional messages sent through the API within minutes.",
                       "User generates hundreds of variants of the same message to evade a spam filter."),
    "seo_spam": ("Bulk generation of keyword-stuffed pages linking to the same storefront.",
                 "Request for 500 fake blog posts pointing to a gambling site."),
    "fake_engagement": ("User asks for many product reviews written in different voices for one listing.",
                        "Automated comments praising the same app posted from many accounts."),
    "access_resale": ("Account offers to sell verified accounts and API keys in bulk.",
                      "Traffic pattern suggests shared keys being resold to many end users."),
    "automated_account_creation": ("Sign-up burst from one network range with sequential email addresses.",
                                   "Scripts creating accounts with generated names and disposable phone numbers."),
    # harassment
    "targeted_harassment": ("Repeated insulting messages aimed at one named person across several chats.",
                            "User asks for a campaign of posts mocking a specific co-worker."),
    "bullying": ("Request for jokes ridiculing a classmate's appearance to share in a group.",
                 "Messages encouraging a group to exclude and belittle one member."),
    "threats": ("Message says the writer will 'make them regret it' and mentions the person's street.",
                "User drafts an intimidating note to leave for a neighbour."),
    "sexual_harassment": ("Unwanted sexual remarks directed at a named colleague (text withheld).",
                          "Repeated explicit comments sent to a user who asked them to stop (text withheld)."),
    # hate
    "slurs": ("Message uses a slur against a protected group (term masked).",
              "Prompt asks for insults targeting people of a particular religion (text withheld)."),
    "dehumanization": ("Text compares a protected group to vermin (summarised).",
                       "Request for an essay claiming a nationality is inherently criminal."),
    "hateful_imagery": ("Image prompt for a caricature mocking an ethnic group.",
                        "Request for a poster featuring a hate group's slogan."),
    "hate_symbols": ("Generated image includes a known hate symbol in the background.",
                     "User asks to redesign an extremist emblem as a logo."),
    # violent extremism
    "terrorist_propaganda": ("Request to rewrite a designated group's statement as a recruitment leaflet.",
                             "User asks for social posts praising a banned organisation (summarised)."),
    "recruitment": ("Messages invite readers to a private channel of a designated group.",
                    "User drafts a pitch to convince young people to join an armed movement."),
    "glorification": ("Post celebrates the perpetrator of a past attack as a hero (summarised).",
                      "Request for a tribute video script for an attacker."),
    "attack_planning": ("User asks about crowd sizes and entrances of a named venue in a worrying context.",
                        "Conversation mentions a date and target in connection with violence (details withheld)."),
    # self-harm
    "suicidal_ideation": ("User writes that they no longer want to be alive and asks for advice.",
                          "Message expresses hopelessness and mentions a plan (details withheld)."),
    "self_injury_instructions": ("User asks about ways to hurt themselves (request summarised).",
                                 "Request for information that could facilitate self-injury (withheld)."),
    "eating_disorder": ("User asks for an extreme fasting plan to lose weight very fast.",
                        "Request for tips to hide not eating from family."),
    # child safety
    "hash_match": ("Uploaded file matched a hash list of known illegal material; content not displayed.",
                   "Image upload matched an industry hash list; content withheld from review tools."),
    "grooming_signals": ("Conversation where an adult seeks private contact with a user who says they are a minor.",
                         "Messages ask a self-described minor to move to another app and keep it secret."),
    "minor_sexualization": ("Prompt requests sexualised content involving a minor; content withheld.",
                            "Text describes a minor in a sexual context (withheld)."),
    "minor_safety_other": ("User appears to be under the minimum age and shares personal details.",
                           "Report that an account is used to contact children in a school group."),
    # sexual content
    "explicit_content": ("Image prompt requests explicit adult content (details withheld).",
                         "Story request contains explicit sexual acts between adults (summarised)."),
    "non_consensual_imagery": ("Request to create intimate imagery of a real, named person without consent.",
                               "User uploads a photo of a private person and asks to undress it."),
    "sexual_services": ("Messages advertise paid sexual services with contact details.",
                        "Request to write listings for an escort service."),
    # cyber abuse
    "malware_generation": ("User asks for code that encrypts a victim's files and shows a ransom note.",
                           "Request to write a keylogger that hides from antivirus tools."),
    "phishing_kits": ("Request for a kit cloning a payment provider's checkout page.",
                      "User asks to automate sending credential-harvesting links."),
    "credential_stuffing": ("Script request to test leaked username/password pairs at scale.",
                            "API traffic shows automated login attempts against many services."),
    "exploit_development": ("User asks for a working exploit for a recently disclosed server flaw.",
                            "Request to weaponise a proof-of-concept against an unpatched system."),
    # CBRN
    "chemical": ("Questions drift from lab safety to producing a toxic agent (details withheld).",
                 "User asks about acquiring restricted precursor chemicals (summarised)."),
    "biological": ("Request about enhancing the spread of a pathogen (details withheld).",
                   "Conversation asks for culturing steps of a dangerous agent (withheld)."),
    "radiological": ("User asks how to obtain and disperse radioactive material (summarised).",
                     "Questions about building a radiological dispersal device (withheld)."),
    "nuclear": ("Request for enrichment details beyond public educational material (summarised).",
                "User asks about weapon design parameters (withheld)."),
    # election integrity
    "voter_suppression": ("Messages give a wrong election date and tell people to vote by text.",
                          "Request for posts telling a community their polling place has closed."),
    "candidate_deepfake": ("Request for a realistic audio clip of a candidate conceding early.",
                           "Image prompt shows a named candidate in a fabricated arrest."),
    "coordinated_influence": ("Many accounts post the same talking points about a vote within an hour.",
                              "User requests 200 personas with distinct voices to post political comments."),
    "election_misinformation": ("Claims that ballots from one district will be discarded, without evidence.",
                                "Request for an article saying voting machines switch votes."),
    # impersonation
    "public_figure": ("Account presents itself as a well-known athlete asking fans for donations.",
                      "Chatbot configured to pose as a government official."),
    "voice_cloning": ("Voice clip imitates a family member asking for urgent money transfer.",
                      "Request to clone a CEO's voice from a conference recording."),
    "brand_impersonation": ("Plugin presents itself as an official support channel of a known brand.",
                            "Messages use a bank's name and logo to request account details."),
    "fake_profile": ("Profile uses another person's photos and name.",
                     "Report that an account copies the reporter's identity."),
    # privacy
    "doxxing": ("Request to find and publish a private person's home address.",
                "Post compiles a user's workplace, phone number and family names."),
    "pii_exposure": ("Output contains what looks like another customer's phone number and email.",
                     "Upload includes scanned identity documents of third parties."),
    "covert_tracking": ("User asks how to track a partner's location without them knowing.",
                        "Request for an app that forwards someone else's messages secretly."),
    "personal_data_request": ("Data subject asks for erasure of personal data appearing in outputs.",
                              "Request from an individual to stop processing their name and photo."),
    # IP
    "copyright": ("Rights holder reports generated text reproducing a novel's chapters.",
                  "Image prompt asks for a copy of a protected artwork to sell."),
    "trademark": ("Generated logos closely copy a registered brand mark for merchandise.",
                  "Store listing uses a protected brand name for unrelated products."),
    "counterfeit": ("Request for product descriptions of replica luxury goods.",
                    "Listings offer counterfeit branded sneakers at a fraction of the price."),
}

# One template per category for the campaign behind a spike.
SPIKE_EXCERPTS: dict[str, str] = {
    "fraud_scams": "Part of a coordinated scam wave reusing the same script and payment handles.",
    "spam": "Part of a bulk spam burst from a cluster of linked accounts.",
    "harassment": "Part of a pile-on against one person coordinated in an outside forum.",
    "hate": "Part of a coordinated hateful meme campaign (content masked).",
    "violent_extremism": "Part of a wave of propaganda reposts after a news event (summarised).",
    "self_harm": "Part of a viral challenge encouraging risky behaviour (summarised).",
    "child_safety": "Part of a cluster of linked accounts under investigation; content withheld.",
    "sexual_content": "Part of a burst of explicit-image generation attempts using a shared prompt trick.",
    "cyber_abuse": "Part of an automated campaign generating malicious code through the API.",
    "cbrn": "Part of a series of probing requests sharing one jailbreak pattern (withheld).",
    "election_integrity": "Part of a coordinated influence operation around an upcoming vote.",
    "impersonation": "Part of a wave of cloned-voice scam calls targeting one brand's customers.",
    "privacy": "Part of a doxxing campaign targeting one community's members.",
    "ip": "Part of a bulk takedown batch submitted by one rights holder.",
}

SPIKE_TITLES: dict[str, str] = {
    "fraud_scams": "Scam wave",
    "spam": "Spam burst",
    "harassment": "Harassment pile-on",
    "hate": "Hateful meme campaign",
    "violent_extremism": "Extremist propaganda surge",
    "self_harm": "Self-harm challenge trend",
    "child_safety": "Child-safety cluster",
    "sexual_content": "Explicit-image jailbreak wave",
    "cyber_abuse": "Malicious-code generation campaign",
    "cbrn": "CBRN probing pattern",
    "election_integrity": "Influence operation",
    "impersonation": "Voice-clone scam wave",
    "privacy": "Doxxing campaign",
    "ip": "Bulk rights-holder takedowns",
}

SURFACE_LABEL = {"chat": "chat", "api": "the API", "image_gen": "image generation",
                 "voice": "voice", "plugins": "plugins"}

PENDING_REASONS = ("awaiting_reporter", "awaiting_account_owner", "awaiting_rights_holder",
                   "awaiting_legal_basis")
ESCALATION_REASONS = ("policy_question", "severity", "specialist_review", "legal_review")
REOPEN_REASONS = ("user_follow_up", "new_evidence", "quality_review")
# Why a reviewer sent a case on to another queue: a re-route at the same tier (routed to the wrong
# policy area) or a return from a higher tier to the one below (sent back for more work).
REROUTE_REASONS = ("rerouted_wrong_policy_area", "rerouted_wrong_language")
RETURN_REASONS = ("returned_missing_evidence", "returned_not_in_scope")
