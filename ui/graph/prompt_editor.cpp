#include "ui/graph/prompt_editor.h"

#include <QDialogButtonBox>
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

void PromptHighlighter::highlightBlock(const QString &text)
{
    static const QHash<Mark, QTextCharFormat> formats = [] {
        const auto format = [](const QColor &color, bool bold = false) {
            QTextCharFormat made;
            made.setForeground(color);
            if (bold)
                made.setFontWeight(QFont::Bold);
            return made;
        };
        QTextCharFormat unclosed = format(QColor(0xe5, 0x39, 0x35));
        unclosed.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        unclosed.setUnderlineColor(QColor(0xe5, 0x39, 0x35));
        return QHash<Mark, QTextCharFormat>{{Mark::Emphasis, format(QColor(0xff, 0xb7, 0x4d))},
                                            {Mark::Deemphasis, format(QColor(0x90, 0xa4, 0xae))},
                                            {Mark::Weight, format(QColor(0xff, 0x8a, 0x65), true)},
                                            {Mark::Embedding, format(QColor(0x4d, 0xd0, 0xe1))},
                                            {Mark::Lora, format(QColor(0xce, 0x93, 0xd8))},
                                            {Mark::Break, format(QColor(0x81, 0xc7, 0x84), true)},
                                            {Mark::Unclosed, unclosed}};
    }();
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
    m_editor->setObjectName(QStringLiteral("promptText"));
    m_editor->setPlainText(text);
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::GeneralFont));
    // The canvas's dark ground, on which the highlighting colours were chosen to read.
    QPalette dark = m_editor->palette();
    dark.setColor(QPalette::Base, QColor(0x22, 0x22, 0x24));
    dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
    m_editor->setPalette(dark);
    new PromptHighlighter(m_editor->document());
    auto *legend =
        new QLabel(tr("<span style='color:#ffb74d'>(emphasis)</span> · <span style='color:#90a4ae'>[less]</span> · "
                      "(word:<b style='color:#ff8a65'>1.2</b>) · <span style='color:#4dd0e1'>embedding:name</span> · "
                      "<span style='color:#81c784'><b>BREAK</b></span>"),
                   this);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_editor, 1);
    layout->addWidget(legend);
    layout->addWidget(buttons);
    resize(560, 320);
}

QString PromptEditor::text() const
{
    return m_editor->toPlainText();
}

} // namespace atelier::ui
