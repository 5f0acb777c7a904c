#pragma once

// Prompt text as artists write it for ComfyUI and A1111, coloured as they read it: emphasis groups "(…)" and
// de-emphasis "[…]" tinted by depth, explicit weights "(word:1.2)", "embedding:name", "<lora:name:0.8>", BREAK,
// and escaped brackets "\(" left plain. A group that never closes is marked, since the engine would read the rest
// of the prompt as emphasised.
#include <QDialog>
#include <QSyntaxHighlighter>

class QLabel;
class QPlainTextEdit;

namespace atelier::ui {

class PromptHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    enum class Mark { Plain, Emphasis, Deemphasis, Weight, Embedding, Lora, Break, Unclosed };
    explicit PromptHighlighter(QTextDocument *document);

    // What each character of `text` is (for tests and for the highlighting itself).
    static QList<Mark> marks(const QString &text);

protected:
    void highlightBlock(const QString &text) override;
};

class PromptEditor : public QDialog
{
    Q_OBJECT
public:
    PromptEditor(const QString &title, const QString &text, QWidget *parent = nullptr);
    QString text() const;
    QPlainTextEdit *editor() const { return m_editor; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void showLegend();

    QPlainTextEdit *m_editor = nullptr;
    PromptHighlighter *m_highlighter = nullptr;
    QLabel *m_legend = nullptr;
};

} // namespace atelier::ui
