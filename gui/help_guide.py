"""Help → Guide to this page and Help → What do these numbers mean?: short guides in plain
words, shown in one readable dialog.

Each page has a guide (what the page is for, what to do on it, what its numbers mean) and one
explanation covers every number the pages and the Train page's verdicts show, the plain words
first and the expert's term second, in the words the app itself uses. The guides link to each
other: a page's guide opens the numbers explanation at the number it mentions, and the
explanation lists the page guides.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

translate = QCoreApplication.translate

#: The pages in the navigation's order, by the key their guide is found under.
PAGES = ("data", "train", "customers", "campaign", "forecast", "segments")
#: The link (``href``) that opens the numbers explanation; ``NUMBERS#anchor`` opens a section.
NUMBERS = "numbers"
#: A link to a page's guide is ``guide:<page key>``.
GUIDE = "guide:"

#: Simple, readable styling (the document's default style sheet: Qt's subset of CSS).
STYLE = (
    "h1 { font-size: x-large; margin-bottom: 4px; } "
    "h2 { font-size: large; margin-top: 14px; margin-bottom: 2px; } "
    "p { margin-top: 3px; margin-bottom: 6px; line-height: 125%; } "
    ".term { color: #5b6776; font-weight: normal; } "
    "a { color: #2a6fdb; }"
)


def page_title(key: str) -> str:
    """The guide's title for a page (as the navigation names it)."""
    titles = {
        "data": translate("HelpGuide", "The Data page"),
        "train": translate("HelpGuide", "The Train page"),
        "customers": translate("HelpGuide", "The Customers page"),
        "campaign": translate("HelpGuide", "The Campaign page"),
        "forecast": translate("HelpGuide", "The Forecast page"),
        "segments": translate("HelpGuide", "The Segments page"),
    }
    return titles[key]


def _page_sections(key: str) -> list[tuple[str, list[str], str]]:
    """A page's guide: (heading, paragraphs, numbers anchor for "more about these numbers")."""
    what_for = translate("HelpGuide", "What this page is for")
    what_to_do = translate("HelpGuide", "What to do here")
    numbers = translate("HelpGuide", "What the numbers mean")
    if key == "data":
        return [
            (what_for, [translate(
                "HelpGuide",
                "Your data at a glance: how many customers, items and events (visits, searches, "
                "carts, purchases) the project holds, the revenue and the days they cover.")], ""),
            (what_to_do, [translate(
                "HelpGuide",
                "Press “Import a file…” (or drop a file on the window) to bring in your shop's "
                "behavior log. The import wizard shows how it reads the file before anything is "
                "saved; change what it found if it is wrong."), translate(
                "HelpGuide",
                "Every line is either imported or set aside with a reason. File → Export "
                "rejected lines saves the set-aside lines, so you can fix and import them "
                "again.")], ""),
            (numbers, [translate(
                "HelpGuide",
                "Revenue is what customers paid, with refunds taken off. The charts show events "
                "per day, events by type and your best categories and items. “Data health” "
                "lists what could mislead the models, such as duplicate lines, dates far outside "
                "the main period or purchases without a price.")], ""),
        ]
    if key == "train":
        return [
            (what_for, [translate(
                "HelpGuide",
                "Here IntentLens learns from your data. Each kind of model answers one question: "
                "who is about to buy (purchase intent), what kinds of customers you have "
                "(profiles), what to offer whom (recommendations), what each customer will "
                "spend (customer value) and how much you will sell (sales forecast).")], ""),
            (what_to_do, [translate(
                "HelpGuide",
                "Choose what to learn and press “Start training”. The default settings suit "
                "most shops; hold the mouse over a setting to read what it does. Training runs "
                "in the background, and the curves show it learning as it goes. You can stop "
                "at any time and keep the best model so far."), translate(
                "HelpGuide",
                "Every run is kept in the list at the bottom left. The newest run is used by "
                "the other pages; select an older one and make it the active model to go "
                "back.")], ""),
            (numbers, [translate(
                "HelpGuide",
                "The curves show the error going down while the model learns; when the "
                "validation curve stops falling, the model has learned what it can. After "
                "training, a few sentences say how well the model did on the latest period of "
                "your data, which it never saw while learning, and whether it beats simple "
                "rules of thumb.")], "validation"),
        ]
    if key == "customers":
        return [
            (what_for, [translate(
                "HelpGuide",
                "Every customer with how likely they are to buy soon, and why. Customers most "
                "likely to buy come first.")], ""),
            (what_to_do, [translate(
                "HelpGuide",
                "Find a customer by id, or narrow the list to an intent range. Click a customer "
                "to open their card: their score, the recent events that raised or lowered it, "
                "their history and, when those models are trained, their segment, expected "
                "spend and what to offer them. “Export what you see…” saves the list as shown "
                "for Excel.")], ""),
            (numbers, [translate(
                "HelpGuide",
                "“72% likely” means that of 100 customers with this score, about 72 buy within "
                "the days shown. “Top 5% of customers” says where the customer stands against "
                "all others. Expected spend, next order date and churn risk come from the "
                "customer-value model.")], "intent"),
        ]
    if key == "campaign":
        return [
            (what_for, [translate(
                "HelpGuide",
                "Plan whom to contact in your next campaign (an e-mail, a coupon, a call), and "
                "what to offer each of them.")], ""),
            (what_to_do, [translate(
                "HelpGuide",
                "Use the filters to choose who may be on the list. Then enter your margin (the "
                "share of a sale you keep after the cost of goods) and what one contact costs. "
                "Drag the line on the chart or "
                "set “Contact the top” to choose how many to contact; “Best cut” picks the list "
                "size with the most expected profit. “Export list…” saves the list with three "
                "items to offer each customer, as a CSV or Excel file.")], ""),
            (numbers, [translate(
                "HelpGuide",
                "Expected buyers add up each customer's chance to buy: 20 customers at 50% are "
                "about 10 buyers. Expected profit is the expected revenue times your margin, "
                "minus the cost of every contact. It is an estimate, not a promise.")], "intent"),
        ]
    if key == "forecast":
        return [
            (what_for, [translate(
                "HelpGuide",
                "How much you will probably sell in the coming weeks, for the whole shop, each "
                "category and each item, in units or revenue.")], ""),
            (what_to_do, [translate(
                "HelpGuide",
                "Pick the shop, a category or an item to see its history and forecast. The table "
                "lists the items whose demand is rising or falling most, with the stock to keep "
                "for the next weeks. “Export forecast…” saves every forecast for Excel.")], ""),
            (numbers, [translate(
                "HelpGuide",
                "The dashed line is the middle guess: sales are as likely to be above it as "
                "below. The shaded band is the likely range; about 8 weeks in 10 should fall "
                "inside it. The sentence under the chart says how far off the forecast was on "
                "past weeks it did not see.")], "forecast"),
        ]
    return [
        (what_for, [translate(
            "HelpGuide",
            "Your customers grouped into segments: groups who shop alike, such as loyal "
            "regulars, bargain hunters or one-time visitors. Each segment gets a plain name "
            "from what sets it apart.")], ""),
        (what_to_do, [translate(
            "HelpGuide",
            "Select a segment to see its size and what sets it apart from the rest. The customer "
            "map puts similar customers close together; click a dot to open that customer. "
            "Export a segment to reach its customers in a campaign.")], ""),
        (numbers, [translate(
            "HelpGuide",
            "A segment's numbers compare it with all customers, for example its share of "
            "customers and of revenue, or “spend 2.0x the average per customer”. Segments describe; they do not predict. Train "
            "customer profiles on the Train page to make them.")], "segments"),
    ]


def page_guide_html(key: str) -> str:
    """The guide of one page (a key of PAGES) as simple HTML."""
    parts = [f"<h1>{escape(page_title(key))}</h1>"]
    linked = False
    for heading, paragraphs, anchor in _page_sections(key):
        parts.append(f"<h2>{escape(heading)}</h2>")
        parts += [f"<p>{escape(p)}</p>" for p in paragraphs]
        if anchor:
            more = translate("HelpGuide", "More about these numbers")
            parts.append(f'<p><a href="{NUMBERS}#{anchor}">{escape(more)} →</a></p>')
            linked = True
    if not linked:
        everything = translate("HelpGuide", "What do these numbers mean?")
        parts.append(f'<p><a href="{NUMBERS}">{escape(everything)} →</a></p>')
    return "".join(parts)


def _number_sections() -> list[tuple[str, str, str, list[str]]]:
    """The numbers explanation: (anchor, plain heading, expert's term, paragraphs)."""
    return [
        ("intent", translate("HelpGuide", "How likely a customer is to buy"),
         translate("HelpGuide", "intent score"), [translate(
             "HelpGuide",
             "“Buys within 30 days: 72% likely” means: of 100 customers with this score, about "
             "72 buy within the next 30 days. It is a chance, not a certainty; the days come "
             "from the “Buys within” setting.")]),
        ("rank", translate("HelpGuide", "Where a customer stands"),
         translate("HelpGuide", "rank, top %"), [translate(
             "HelpGuide",
             "Rank 1 is the customer most likely to buy. “Top 5% of customers” means only 5 in "
             "100 customers are more likely to buy than this one; “bottom 10%” means 9 in 10 "
             "are more likely.")]),
        ("lift", translate("HelpGuide", "How many more buyers the model finds"),
         translate("HelpGuide", "lift"), [translate(
             "HelpGuide",
             "“Finds 3.0x more buyers in its top 10% than chance” means: contact the 10% of "
             "customers the model rates highest and you reach three times as many buyers as "
             "when you pick 10% at random. 1x is no better than a random pick.")]),
        ("auc", translate("HelpGuide", "How well it ranks buyers above non-buyers"),
         translate("HelpGuide", "AUC"), [translate(
             "HelpGuide",
             "Take one customer who bought and one who did not: the AUC is how often the model "
             "rates the buyer higher. 0.5 is chance (a coin toss), 1 is perfect; 0.7 is useful "
             "and 0.8 or more is strong for shop data.")]),
        ("hits", translate("HelpGuide", "How often a yes-or-no guess is right"),
         translate("HelpGuide", "accuracy, precision, recall, F1"), [translate(
             "HelpGuide",
             "The model says “will buy” for the customers above a cut-off. Accuracy: how many of "
             "all its yes-or-no guesses were right. Precision: of those it said would buy, how "
             "many did. Recall: of those who bought, how many it named. F1 balances precision "
             "and recall in one number (1 is perfect)."), translate(
             "HelpGuide",
             "When few customers buy, accuracy looks high even for a model that names nobody, "
             "so look at lift and AUC first.")]),
        ("validation", translate("HelpGuide", "How a model is checked"),
         translate("HelpGuide", "validation period, time-based split"), [translate(
             "HelpGuide",
             "Before a model is trusted, IntentLens hides the latest period of your data, lets "
             "the model learn from what came before, and then checks its guesses against what "
             "really happened in that hidden period. This is how it would have done had you "
             "used it then. The verdicts name that period, e.g. “purchases 2024-05-01 to "
             "2024-05-30”.")]),
        ("beats", translate("HelpGuide", "“Beats” and “about as well as”"),
         translate("HelpGuide", "95% interval"), [translate(
             "HelpGuide",
             "Every model is compared with simple rules of thumb, such as “whoever bought "
             "recently buys again”. The difference comes with a 95% interval: the range the "
             "true difference lies in, allowing for luck. “Beats” means the whole range is "
             "better; “about as well as” means the range includes no difference, so the simpler "
             "method may be just as good. When a simple method ranks buyers as well, its "
             "scores are used.")]),
        ("spend", translate("HelpGuide", "What a customer will spend"),
         translate("HelpGuide", "expected spend, P10–P90 range"), [translate(
             "HelpGuide",
             "Expected spend is the chance to buy times the usual order value, over the coming "
             "days. “Likely 0.00–120.00” is the range it falls in for 8 customers in 10: lower "
             "for 1 in 10 (P10) and higher for 1 in 10 (P90). The range starts at 0 when the "
             "customer may well not buy at all.")]),
        ("churn", translate("HelpGuide", "Who may not come back"),
         translate("HelpGuide", "churn risk"), [translate(
             "HelpGuide",
             "The chance that a customer does not order again for three times their usual gap "
             "between orders, and at least 90 days (the setting “Churn window at least”). High "
             "means 70% or more, Medium 40–70%, Low under 40%. Good customers at high risk are worth a "
             "personal message.")]),
        ("next", translate("HelpGuide", "When the next order comes"),
         translate("HelpGuide", "next order date"), [translate(
             "HelpGuide",
             "From the gaps between a customer's past orders: “around June 12 (likely June 3 to "
             "June 28)”. It needs purchases on two days or more.")]),
        ("forecast", translate("HelpGuide", "How far off a sales forecast is"),
         translate("HelpGuide", "WAPE, MASE"), [translate(
             "HelpGuide",
             "“Off by 12% a week on average” is the forecast's typical error on past weeks it "
             "did not see, as a share of what was really sold (WAPE). Lower is better; for "
             "single items, which sell unevenly, a range is more honest than a number."),
             translate(
             "HelpGuide",
             "MASE compares the error with a plain guess, “the same as the same period last "
             "cycle” (seasonal naive): under 1 means the forecast beats that guess, over 1 means "
             "it does worse.")]),
        ("segments", translate("HelpGuide", "Groups of customers"),
         translate("HelpGuide", "segments"), [translate(
             "HelpGuide",
             "A segment is a group of customers who shop alike: how often, how recently, how "
             "much and what. IntentLens finds the groups itself and names each by what sets it "
             "apart. A customer belongs to one segment.")]),
    ]


def numbers_html() -> str:
    """The explanation of every number the pages show, as simple HTML (each section has an
    anchor, so a page guide can open it at its number)."""
    title = translate("HelpGuide", "What do these numbers mean?")
    intro = translate(
        "HelpGuide",
        "The plain meaning comes first; the expert's name for it follows in grey, for when you "
        "meet it elsewhere.")
    parts = [f"<h1>{escape(title)}</h1>", f"<p>{escape(intro)}</p>"]
    for anchor, heading, term, paragraphs in _number_sections():
        parts.append(f'<h2><a name="{anchor}"></a>{escape(heading)} '
                     f'<span class="term">({escape(term)})</span></h2>')
        parts += [f"<p>{escape(p)}</p>" for p in paragraphs]
    parts.append(f"<h2>{escape(translate('HelpGuide', 'Guides to the pages'))}</h2><p>")
    parts.append(" · ".join(f'<a href="{GUIDE}{key}">{escape(page_title(key))}</a>'
                            for key in PAGES))
    parts.append("</p>")
    return "".join(parts)


class HelpDialog(QDialog):
    """A readable help text with links between the page guides and the numbers explanation;
    not modal, so the page it explains stays in view and usable."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("IntentLens help"))
        self.setModal(False)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)  # links switch the text here (see follow)
        self.browser.document().setDefaultStyleSheet(STYLE)
        self.browser.document().setDocumentMargin(12)
        font = self.browser.font()
        font.setPointSizeF(font.pointSizeF() + 1)  # reading text, a little larger
        self.browser.setFont(font)
        self.browser.anchorClicked.connect(self.follow)
        self.browser.setMinimumWidth(420)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(680, 600)
        self.shown = ""  # "numbers" or a page key: what the dialog shows

    def show_page_guide(self, key: str) -> None:
        """Show the guide of a page (a key of PAGES)."""
        self.shown = key
        self.setWindowTitle(self.tr("Guide: {0}").format(page_title(key)))
        self.browser.setHtml(page_guide_html(key))
        self.browser.verticalScrollBar().setValue(0)

    def show_numbers(self, anchor: str = "") -> None:
        """Show the numbers explanation, at a section's anchor when given."""
        self.shown = NUMBERS
        self.setWindowTitle(self.tr("What do these numbers mean?"))
        self.browser.setHtml(numbers_html())
        self.browser.verticalScrollBar().setValue(0)
        if anchor:
            self.browser.scrollToAnchor(anchor)

    def follow(self, url: QUrl) -> None:
        """A link was clicked: another guide or the numbers explanation (never a web page)."""
        text = url.toString()
        if text.startswith(GUIDE) and text[len(GUIDE):] in PAGES:
            self.show_page_guide(text[len(GUIDE):])
        elif text.split("#")[0] == NUMBERS:
            self.show_numbers(url.fragment())


def show_help(parent: QWidget, page: str | None) -> HelpDialog:
    """Open (or bring forward) the parent's help dialog, showing ``page``'s guide, or the
    numbers explanation when ``page`` is None."""
    dialog = parent.findChild(HelpDialog)
    if dialog is None:
        dialog = HelpDialog(parent)
        # Sized for a 1280×800 screen: tall enough to read, narrow enough to see the page.
        screen = parent.screen().availableGeometry() if parent.screen() else None
        if screen is not None:
            dialog.resize(min(680, screen.width() - 80), min(640, screen.height() - 120))
    if page is None:
        dialog.show_numbers()
    else:
        dialog.show_page_guide(page)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
