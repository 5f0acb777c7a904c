#pragma once

// The English plural forms, installed as the application installs them (app/main.cpp), so that a test reads
// "1 model" and "5 models" as the window shows them. ATELIER_EN_QM is the build's translations/atelier_en.ts.
#include <QCoreApplication>
#include <QTranslator>

inline bool installEnglishPlurals()
{
    static QTranslator plurals;
    if (!plurals.isEmpty())
        return true;
    return plurals.load(QStringLiteral(ATELIER_EN_QM)) && QCoreApplication::installTranslator(&plurals);
}
