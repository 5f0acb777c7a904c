// The image index over real files: the corpus's images from every tool indexed side by side with the recipe
// fields their MANIFEST states, searched by prompt words and filtered by model and LoRA; stars and ratings kept
// across a reopen and a rescan; changed, new and deleted files followed; files that are not readable images listed
// as failures, never indexed and never a crash.
#include "core/gallery/image_index.h"

#include "tests/fixtures.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace atelier;

namespace {

void copyTree(const QString &from, const QString &to)
{
    QDir().mkpath(to);
    for (const QString &name : QDir(from).entryList({QStringLiteral("*.png")}, QDir::Files))
        QFile::copy(QDir(from).filePath(name), QDir(to).filePath(name));
}

} // namespace

class TestImageIndex : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_root;
    QString images() const { return m_root.filePath(QStringLiteral("images")); }
    QString database() const { return m_root.filePath(QStringLiteral("images.db")); }

private slots:
    void initTestCase()
    {
        const QString corpus = fixturesDir() + QStringLiteral("/corpus");
        for (const QString &tool : QDir(corpus + QStringLiteral("/png")).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
            copyTree(corpus + QStringLiteral("/png/") + tool, images() + QLatin1Char('/') + tool);
        copyTree(corpus + QStringLiteral("/comfyui"), images() + QStringLiteral("/comfyui"));
    }

    void everyToolsImagesAreIndexedWithTheirRecipes()
    {
        gallery::ImageIndex index(database());
        QVERIFY(index.open());
        int reported = 0;
        const auto report = index.scanFolder(images(), [&](int done, int total) {
            QVERIFY(done <= total);
            reported = done;
        });
        QVERIFY2(report, qPrintable(report.error()));
        QVERIFY2(report->failures.isEmpty(), qPrintable(report->failures.join('\n')));
        int files = 0;
        for (QDirIterator found(images(), {QStringLiteral("*.png")}, QDir::Files, QDirIterator::Subdirectories);
             found.hasNext(); found.next())
            ++files;
        QVERIFY(files > 15);
        QCOMPARE(report->indexed, files);
        QCOMPARE(reported, files);
        QCOMPARE(index.count().value(), files);

        const auto a1111 = index.image(images() + QStringLiteral("/a1111/sdmeta_sd-webui.png")).value();
        QVERIFY(a1111);
        QCOMPARE(a1111->recipe.tool, QStringLiteral("A1111"));
        QCOMPARE(a1111->recipe.seed.value(), quint64(3782896554));
        QCOMPARE(a1111->recipe.steps.value(), 20);
        QCOMPARE(a1111->recipe.model->name, QStringLiteral("waiIllustriousSDXL_v160"));
        QCOMPARE(a1111->width, 1024);
        QCOMPARE(a1111->sha256.size(), 64);
        QVERIFY(!a1111->hasGraph);

        const auto fooocus = index.image(images() + QStringLiteral("/fooocus/sdparsers_fooocus1_cropped.png")).value();
        QCOMPARE(fooocus->recipe.tool, QStringLiteral("Fooocus"));
        QCOMPARE(fooocus->recipe.seed.value(), quint64(6952411511246973023ull)); // past 2^63: kept exactly
        const auto lora = index.image(images() + QStringLiteral("/comfyui/lora_lora.png")).value();
        QVERIFY(lora->hasGraph);
        QCOMPARE(lora->recipe.loras.size(), 1);
        QCOMPARE(lora->recipe.loras.front().name, QStringLiteral("epiNoiseoffset_v2.safetensors"));

        // Searches: prompt words as prefixes, across tools; the model by name or by the file it names; a LoRA.
        gallery::ImageQuery words;
        words.text = QStringLiteral("smiling gold");
        const auto goldfish = index.search(words).value();
        QCOMPARE(goldfish.size(), 1);
        QCOMPARE(goldfish.front().recipe.tool, QStringLiteral("Fooocus"));
        gallery::ImageQuery byModel;
        byModel.models = {QStringLiteral("waiIllustriousSDXL_v160")};
        QCOMPARE(index.search(byModel).value().size(), 2); // A1111's name and SwarmUI's file name
        gallery::ImageQuery byLora;
        byLora.lora = QStringLiteral("epiNoiseoffset_v2.safetensors");
        QVERIFY(index.search(byLora).value().size() >= 1);
        gallery::ImageQuery inFolder;
        inFolder.text = QStringLiteral("duck");
        QCOMPARE(index.search(inFolder).value().size(), 2);
        words.text = QStringLiteral("\"unbalanced (");
        QVERIFY(index.search(words).value().isEmpty()); // no syntax error
    }

    // Stars and ratings are the artist's: kept across a reopen and a rescan of a changed file.
    void starsAndRatingsPersist()
    {
        const QString path = images() + QStringLiteral("/a1111/sdparsers_automatic1111_cropped.png");
        {
            gallery::ImageIndex index(database());
            QVERIFY(index.open());
            QVERIFY(index.setStarred(path, true));
            QVERIFY(index.setRating(path, 4));
            QVERIFY(!index.setRating(path, 6));
        }
        gallery::ImageIndex index(database());
        QVERIFY(index.open());
        QVERIFY(index.image(path).value().has_value());
        QVERIFY(index.image(path).value()->starred);
        QCOMPARE(index.image(path).value()->rating, 4);
        QVERIFY(index.indexFile(path, images()));
        QCOMPARE(index.image(path).value()->rating, 4);
        gallery::ImageQuery starred;
        starred.starredOnly = true;
        starred.minRating = 3;
        QCOMPARE(index.search(starred).value().size(), 1);
    }

    // A rescan indexes only what changed, takes in new files, forgets deleted ones, and lists what it cannot read.
    void rescansFollowTheFolder()
    {
        gallery::ImageIndex index(database());
        QVERIFY(index.open());
        const int before = index.count().value();
        QVERIFY(QFile::remove(images() + QStringLiteral("/novelai/sdparsers_novelai1_cropped.png")));
        QVERIFY(QFile::copy(fixturesDir() + QStringLiteral("/corpus/comfyui/lora_lora_multiple.png"),
                            images() + QStringLiteral("/comfyui/copy of lora_lora_multiple.png")));
        // Hostile files: truncated before any text, not a PNG at all, a decompression bomb in a chunk.
        QFile truncated(images() + QStringLiteral("/truncated.png"));
        QVERIFY(truncated.open(QIODevice::WriteOnly));
        truncated.write(QByteArray("\x89PNG\r\n\x1a\n", 8) + QByteArray(20, '\0'));
        truncated.close();
        QFile text(images() + QStringLiteral("/notes.png"));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("these are notes, not a picture");
        text.close();

        const auto report = index.scanFolder(images());
        QVERIFY2(report, qPrintable(report.error()));
        QCOMPARE(report->indexed, 1);
        QCOMPARE(report->removed, 1);
        QCOMPARE(report->failures.size(), 2);
        QVERIFY(report->failures.join('\n').contains(QStringLiteral("truncated.png")));
        QVERIFY(report->failures.join('\n').contains(QStringLiteral("notes.png")));
        QCOMPARE(index.count().value(), before);
        QCOMPARE(report->unchanged, before - 1);
        QCOMPARE(index.folders().value(), QStringList{QDir(images()).absolutePath()});

        // A file rewritten is indexed again.
        const QString changed = images() + QStringLiteral("/a1111/sdparsers_text_after_idat.png");
        QFile file(changed);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.setFileTime(QDateTime::currentDateTimeUtc().addSecs(60), QFileDevice::FileModificationTime));
        file.close();
        QCOMPARE(index.scanFolder(images()).value().indexed, 1);
    }

    void aForeignFileIsRefusedAndLeftAlone()
    {
        const QString path = m_root.filePath(QStringLiteral("not-an-index.db"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("a text file where the index belongs");
        file.close();
        gallery::ImageIndex index(path);
        const Status opened = index.open();
        QVERIFY(!opened);
        QVERIFY2(opened.error().contains(QStringLiteral("image index")), qPrintable(opened.error()));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("a text file where the index belongs"));
    }
};

QTEST_GUILESS_MAIN(TestImageIndex)
#include "test_image_index.moc"
