// Benchmark of the model library's browser queries on 10,000 realistic records, against the same SQL run by the
// bare sqlite3 shell on the same file. Prints a table; asserts nothing.
//
//   bench_record_store [--records N] [--runs N]

#include "tests/bench/bench_statistics.h"
#include "core/models/record_store.h"
#include "tests/bench/realistic_records.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <functional>
#include <cstdio>

using namespace atelier;
using namespace atelier::models;
using atelier::bench::realisticRecord;

namespace {

// The plan's SQL with its bindings written in as literals, for the sqlite3 shell.
QString inlineBindings(QString sql, const QVariantList &bindings)
{
    for (const QVariant &value : bindings) {
        const int at = int(sql.indexOf(QLatin1Char('?')));
        QString literal = value.toString();
        literal.replace(QLatin1Char('\''), QStringLiteral("''"));
        sql.replace(at, 1, QStringLiteral("'%1'").arg(literal));
    }
    return sql;
}

// Milliseconds per run of `statements` in one sqlite3 process, start-up subtracted.
double sqliteShellMilliseconds(const QString &database, const QStringList &statements, int runs)
{
    const auto timeScript = [&](int repetitions) {
        QString script = QStringLiteral(".output /dev/null\n");
        for (int i = 0; i < repetitions; ++i)
            script += statements.join(QStringLiteral(";\n")) + QStringLiteral(";\n");
        QProcess shell;
        QElapsedTimer timer;
        timer.start();
        shell.start(QStringLiteral("sqlite3"), {QStringLiteral("-batch"), database});
        shell.write(script.toUtf8());
        shell.closeWriteChannel();
        shell.waitForFinished(-1);
        return double(timer.nsecsElapsed()) / 1e6;
    };
    std::vector<double> empty, full;
    for (int trial = 0; trial < 5; ++trial) {
        empty.push_back(timeScript(0));
        full.push_back(timeScript(runs));
    }
    return (median(full) - median(empty)) / runs;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption recordsOption(QStringLiteral("records"), QStringLiteral("Records to create."), QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Runs per query."), QStringLiteral("N"), QStringLiteral("200"));
    parser.addOptions({recordsOption, runsOption});
    parser.addHelpOption();
    parser.process(application);
    const int records = parser.value(recordsOption).toInt();
    const int runs = parser.value(runsOption).toInt();
    QTextStream out(stdout);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("atelier.db"));
    RecordStore store(path);
    if (!store.open()) {
        std::fprintf(stderr, "cannot open %s\n", qPrintable(path));
        return 1;
    }
    QRandomGenerator random(20261123);
    QList<ModelConfig> batch;
    for (int i = 0; i < records; ++i) {
        ModelConfig config = realisticRecord(i, random);
        config.key = ModelConfig::newKey();
        batch << config;
    }
    QElapsedTimer fill;
    fill.start();
    if (const auto filled = store.importModels(batch, false); !filled) {
        std::fprintf(stderr, "cannot fill the library: %s\n", qPrintable(filled.error()));
        return 1;
    }
    out << "Library: " << records << " records, filled in " << fill.elapsed() << " ms (one transaction)\n\n";

    struct Case
    {
        const char *name;
        ModelQuery query;
    };
    QList<Case> cases;
    {
        ModelQuery q;
        q.base = BaseModel::Sdxl;
        q.type = ModelType::Lora;
        q.text = QStringLiteral("style");
        cases << Case{"browser: sdxl lora + text 'style', by name, page 1", q};
    }
    {
        ModelQuery q;
        q.type = ModelType::Main;
        q.tags = {QStringLiteral("photo")};
        q.sort = ModelQuery::Sort::AddedAt;
        q.descending = true;
        cases << Case{"browser: main + tag, newest first, page 1", q};
    }
    {
        ModelQuery q;
        q.text = QStringLiteral("cine portr");
        q.sort = ModelQuery::Sort::Size;
        q.offset = 100;
        cases << Case{"browser: two-word text, by size, page 2", q};
    }
    {
        ModelQuery q;
        cases << Case{"browser: no filter, by name, page 1", q};
    }
    for (const char *prefix : {"d", "dr", "dre", "drea"}) {
        ModelQuery q;
        q.namePrefix = QLatin1String(prefix);
        q.limit = 20;
        cases << Case{nullptr, q};
    }

    // Times `call` (which returns the number of matches) `runs` times after a warm-up; median milliseconds.
    const auto timeCall = [runs](const std::function<int()> &call, int &total) {
        for (int warm = 0; warm < 10; ++warm)
            call();
        std::vector<double> times;
        for (int i = 0; i < runs; ++i) {
            QElapsedTimer timer;
            timer.start();
            total = call();
            times.push_back(double(timer.nsecsElapsed()) / 1e6);
        }
        return median(times);
    };
    const auto bareMilliseconds = [&](const QueryPlan &plan) {
        return sqliteShellMilliseconds(
            path, {inlineBindings(plan.countSql, plan.bindings), inlineBindings(plan.sql, plan.bindings)}, runs);
    };

    out << QStringLiteral("%1 %2 | %3 %4 %5 | %6 %7 %8\n")
               .arg(QStringLiteral("query").leftJustified(52), QStringLiteral("matches").rightJustified(7),
                    QStringLiteral("browse").rightJustified(8), QStringLiteral("sqlite3").rightJustified(8),
                    QStringLiteral("ratio").rightJustified(6), QStringLiteral("records").rightJustified(8),
                    QStringLiteral("sqlite3").rightJustified(8), QStringLiteral("ratio").rightJustified(6));
    for (const Case &c : cases) {
        int total = 0;
        const double browse = timeCall([&] { const auto p = store.browse(c.query); return p ? p->total : -1; }, total);
        const double browseBare = bareMilliseconds(planQuery(c.query, QueryColumns::Summary));
        const double records = timeCall([&] { const auto p = store.query(c.query); return p ? p->total : -1; }, total);
        const double recordsBare = bareMilliseconds(planQuery(c.query, QueryColumns::FullRecord));
        const QString name = c.name ? QLatin1String(c.name)
                                    : QStringLiteral("type-ahead: name prefix '%1', 20 rows").arg(c.query.namePrefix);
        const auto ms = [](double value) { return QString::number(value, 'f', 3).rightJustified(8); };
        const auto ratio = [](double ours, double bare) {
            return QString::number(ours / std::max(bare, 1e-6), 'f', 2).rightJustified(6);
        };
        out << QStringLiteral("%1 %2 | %3 %4 %5 | %6 %7 %8\n")
                   .arg(name.leftJustified(52), QString::number(total).rightJustified(7), ms(browse), ms(browseBare),
                        ratio(browse, browseBare), ms(records), ms(recordsBare), ratio(records, recordsBare));
        out.flush();
    }
    out << "\nTimes in ms, median of " << runs << " calls (count + one page).\n"
        << "browse: RecordStore::browse, summaries from columns (what the library view lists).\n"
        << "records: RecordStore::query, full records parsed from their JSON (what `models list --json` prints).\n"
        << "sqlite3: the same two SQL statements in the sqlite3 shell, output to /dev/null, per run ("
        << runs << " runs in one process minus an empty run, median of 5 such pairs).\n";
    return 0;
}
