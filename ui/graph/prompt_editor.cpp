#include "ui/graph/prompt_editor.h"

#include "ui/common/theme.h"

#include <QDialogButtonBox>
#include <QEvent>
#include <QFontDatabase>
#include <QHash>
#include <QLabel>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace atelier::ui {

PromptHighlighter::PromptHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{}

QList<PromptHighlighter::Mark> PromptHighlighter::marks(const QString &text)
{
    QList<Mark> marks(text.size(), Mark::Plain);
    // Brackets first, by depth; an escaped bracket is text.
    QList<std::pair<QChar, int>> open; // bracket, position
    for (int at = 0; at < text.size(); ++at) {
        const QChar c = text.at(at);
        if (c == QLatin1Char('\\')) {
            ++at;
            continue;
        }
        if (c == QLatin1Char('(') || c == QLatin1Char('[')) {
            open.append({c, at});
        } else if ((c == QLatin1Char(')') || c == QLatin1Char(']')) && !open.isEmpty() &&
                   open.last().first == (c == QLatin1Char(')') ? QLatin1Char('(') : QLatin1Char('['))) {
            const auto [bracket, from] = open.takeLast();
            const Mark mark = bracket == QLatin1Char('(') ? Mark::Emphasis : Mark::Deemphasis;
            for (int inside = from; inside <= at; ++inside)
                if (marks[inside] == Mark::Plain)
                    marks[inside] = mark;
        }
    }
    for (const auto &[bracket, from] : std::as_const(open))
        marks[from] = Mark::Unclosed;
    const auto paint = [&](const QRegularExpression &pattern, Mark mark, int group = 0) {
        for (auto match = pattern.globalMatch(text); match.hasNext();) {
            const QRegularExpressionMatch found = match.next();
            for (int at = int(found.capturedStart(group)); at < found.capturedEnd(group); ++at)
                marks[at] = mark;
        }
    };
    static const QRegularExpression weight(QStringLiteral(":\\s*(-?[0-9]*\\.?[0-9]+)\\s*[)\\]]"));
    static const QRegularExpression embedding(QStringLiteral("\\bembedding:[^\\s,()\\[\\]]+"));
    static const QRegularExpression lora(QStringLiteral("<(lora|lyco|hypernet):[^>]*>"));
    static const QRegularExpression breakWord(QStringLiteral("\\bBREAK\\b"));
    paint(weight, Mark::Weight, 1);
    paint(embedding, Mark::Embedding);
    paint(lora, Mark::Lora);
    paint(breakWord, Mark::Break);
    return marks;
}

namespace {

// The marks' colours, one set for each scheme: bright on the dark canvas, deeper on a light one.
QColor markColor(PromptHighlighter::Mark mark, bool dark)
{
    using Mark = PromptHighlighter::Mark;
    switch (mark) {
    case Mark::Emphasis:
        return dark ? QColor(0xff, 0xb7, 0x4d) : QColor(0xc2, 0x57, 0x00);
    case Mark::Deemphasis:
        return dark ? QColor(0x90, 0xa4, 0xae) : QColor(0x54, 0x6e, 0x7a);
    case Mark::Weight:
        return dark ? QColor(0xff, 0x8a, 0x65) : QColor(0xc4, 0x3e, 0x12);
    case Mark::Embedding:
        return dark ? QColor(0x4d, 0xd0, 0xe1) : QColor(0x00, 0x79, 0x86);
    case Mark::Lora:
        return dark ? QColor(0xce, 0x93, 0xd8) : QColor(0x8e, 0x24, 0xaa);
    case Mark::Break:
        return dark ? QColor(0x81, 0xc7, 0x84) : QColor(0x2e, 0x7d, 0x32);
    case Mark::Unclosed:
        return dark ? QColor(0xe5, 0x39, 0x35) : QColor(0xd3, 0x2f, 0x2f); // the canvas's failed red
    case Mark::Plain:
        break;
    }
    return {};
}

QHash<PromptHighlighter::Mark, QTextCharFormat> markFormats(bool dark)
{
    using Mark = PromptHighlighter::Mark;
    QHash<Mark, QTextCharFormat> formats;
    for (const Mark mark :
         {Mark::Emphasis, Mark::Deemphasis, Mark::Weight, Mark::Embedding, Mark::Lora, Mark::Break, Mark::Unclosed}) {
        QTextCharFormat format;
        format.setForeground(markColor(mark, dark));
        if (mark == Mark::Weight || mark == Mark::Break)
            format.setFontWeight(QFont::Bold);
        if (mark == Mark::Unclosed) {
            format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
            format.setUnderlineColor(markColor(mark, dark));
        }
        formats.insert(mark, format);
    }
    return formats;
}

} // namespace

void PromptHighlighter::highlightBlock(const QString &text)
{
    static const QHash<Mark, QTextCharFormat> darkFormats = markFormats(true);
    static const QHash<Mark, QTextCharFormat> lightFormats = markFormats(false);
    const QHash<Mark, QTextCharFormat> &formats = themeColors().dark ? darkFormats : lightFormats;
    const QList<Mark> marks = PromptHighlighter::marks(text);
    for (int at = 0; at < marks.size(); ++at)
        if (const auto format = formats.constFind(marks.at(at)); format != formats.constEnd())
            setFormat(at, 1, *format);
}

PromptEditor::PromptEditor(const QString &title, const QString &text, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("promptEditor"));
    setWindowTitle(title);
    m_editor = new QPlainTextEdit(this);
    m_editor->setTabChangesFocus(true); // prompts never hold a tab; Tab moves on, as in every form
    m_editor->setObjectName(QStringLiteral("promptText"));
    m_editor->setPlainText(text);
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::GeneralFont));
    m_highlighter = new PromptHighlighter(m_editor->document());
    m_legend = new QLabel(this);
    showLegend();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_editor, 1);
    layout->addWidget(m_legend);
    layout->addWidget(buttons);
    resize(560, 320);
}

void PromptEditor::showLegend()
{
    const bool dark = themeColors().dark;
    const auto color = [dark](PromptHighlighter::Mark mark) { return markColor(mark, dark).name(); };
    using Mark = PromptHighlighter::Mark;
    m_legend->setText(tr("<span style='color:%1'>(emphasis)</span> · <span style='color:%2'>[less]</span> · "
                         "(word:<b style='color:%3'>1.2</b>) · <span style='color:%4'>embedding:name</span> · "
                         "<span style='color:%5'><b>BREAK</b></span>")
                          .arg(color(Mark::Emphasis), color(Mark::Deemphasis), color(Mark::Weight),
                               color(Mark::Embedding), color(Mark::Break)));
}

void PromptEditor::changeEvent(QEvent *event)
{
    // The theme changed while the editor is open: the marks take the new scheme's colours.
    if (event->type() == QEvent::PaletteChange) {
        m_highlighter->rehighlight();
        showLegend();
    }
    QDialog::changeEvent(event);
}

QString PromptEditor::text() const
{
    return m_editor->toPlainText();
}

} // namespace atelier::ui
