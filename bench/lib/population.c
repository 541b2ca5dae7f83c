/*
 * Synthetic alert populations for benchmarks (see population.h).
 *
 * How a person is made: a counter-based random stream (splitmix64 seeded
 * with the seed, a stream tag and the index) draws the culture, then the
 * gender, then name tokens from per-culture lists whose cumulative Zipf
 * weights pop_init computed once; each token remembers its table entry and
 * spelling variant, so that it can be written in Latin script (French or
 * English convention) or in Arabic script. Date of birth, nationality and
 * passport number follow from the culture.
 *
 * A query regenerates its target alert from the target's index, renders its
 * name into token strings, then applies 1-3 perturbations to the tokens and
 * fields, each one labelled. Nothing is allocated; all buffers are on the
 * stack or in the caller's struct pop_person.
 */
#include "population.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The tables keep one entry per line, wider than the formatter would leave them. */
// clang-format off
/* ---------------------------------------------------------------------------------------------
 * Name tables. Entries are in rough order of frequency: the Zipf weights are given by rank.
 * Arabic-origin entries list their Latin spellings, French convention first (nfr of them),
 * then English convention; the first spelling of each group is the most usual one.
 */

#define G_M 1u   /* male given name */
#define G_F 2u   /* female given name */
#define R_MAG 4u /* used in the Maghreb */
#define R_EAS 8u /* used in Egypt, the Levant, Iraq */

struct aname {
    const char *ar;    /* Arabic script, NULL when none */
    unsigned flags;    /* G_* and R_* */
    unsigned char nfr; /* v[0..nfr) French convention, v[nfr..] English convention */
    const char *v[10]; /* Latin spellings, NULL-terminated */
};

static const struct aname ar_given[] = {
    {"محمد", G_M | R_MAG | R_EAS, 3, {"Mohamed", "Mohammed", "Mohamad", "Mohamed", "Muhammad", "Mohammad", "Mohammed"}},
    {"أحمد", G_M | R_MAG | R_EAS, 2, {"Ahmed", "Ahmad", "Ahmed", "Ahmad"}},
    {"يوسف", G_M | R_MAG | R_EAS, 4, {"Youssef", "Youcef", "Youssouf", "Yousef", "Youssef", "Yusuf", "Yousef", "Yousif"}},
    {"عبد القادر", G_M | R_MAG, 4, {"Abdelkader", "Abdelkader", "Abd El Kader", "Abdelkadir", "Abdul Qadir", "Abd al-Qadir", "Abdelkader"}},
    {"علي", G_M | R_MAG | R_EAS, 1, {"Ali", "Ali", "Aly"}},
    {"مصطفى", G_M | R_MAG | R_EAS, 3, {"Mustapha", "Moustapha", "Mustafa", "Mostafa", "Mustafa", "Moustafa"}},
    {"عمر", G_M | R_MAG | R_EAS, 2, {"Omar", "Omer", "Omar", "Umar"}},
    {"خالد", G_M | R_MAG | R_EAS, 2, {"Khaled", "Khalid", "Khaled", "Khalid"}},
    {"حسن", G_M | R_MAG | R_EAS, 2, {"Hassan", "Hasan", "Hassan", "Hasan"}},
    {"إبراهيم", G_M | R_MAG | R_EAS, 2, {"Brahim", "Ibrahim", "Ibrahim", "Ebrahim"}},
    {"عبد الله", G_M | R_MAG | R_EAS, 3, {"Abdellah", "Abdallah", "Abdelah", "Abdullah", "Abdallah", "Abd Allah"}},
    {"عبد الرحمن", G_M | R_MAG | R_EAS, 3, {"Abderrahmane", "Abderrahman", "Abderahmane", "Abdulrahman", "Abdel Rahman", "Abd al-Rahman", "Abdelrahman"}},
    {"رشيد", G_M | R_MAG | R_EAS, 1, {"Rachid", "Rashid", "Rasheed"}},
    {"سعيد", G_M | R_MAG | R_EAS, 2, {"Said", "Saïd", "Said", "Saeed", "Sayed"}},
    {"حسين", G_M | R_MAG | R_EAS, 3, {"Houcine", "Hocine", "Hussein", "Hussein", "Husain", "Hussain"}},
    {"كريم", G_M | R_MAG | R_EAS, 1, {"Karim", "Karim", "Kareem"}},
    {"نور الدين", G_M | R_MAG, 4, {"Noureddine", "Nourredine", "Nour-Eddine", "Nourdine", "Nour El Din", "Nur al-Din", "Nureddin"}},
    {"جمال", G_M | R_MAG | R_EAS, 3, {"Jamal", "Djamel", "Jamel", "Gamal", "Jamal"}},
    {"عبد العزيز", G_M | R_MAG | R_EAS, 1, {"Abdelaziz", "Abdulaziz", "Abdel Aziz"}},
    {"هشام", G_M | R_MAG | R_EAS, 2, {"Hicham", "Hichem", "Hisham", "Hesham"}},
    {"سمير", G_M | R_MAG | R_EAS, 1, {"Samir", "Samir", "Sameer"}},
    {"نبيل", G_M | R_MAG | R_EAS, 1, {"Nabil", "Nabil", "Nabeel"}},
    {"طارق", G_M | R_MAG | R_EAS, 3, {"Tarik", "Tarek", "Tariq", "Tarek", "Tariq"}},
    {"بلال", G_M | R_MAG | R_EAS, 1, {"Bilal", "Bilal", "Belal"}},
    {"حمزة", G_M | R_MAG | R_EAS, 1, {"Hamza", "Hamza", "Hamzah"}},
    {"إدريس", G_M | R_MAG, 3, {"Driss", "Idriss", "Idris", "Idris", "Edris"}},
    {"عثمان", G_M | R_MAG | R_EAS, 3, {"Othmane", "Othman", "Otmane", "Osman", "Othman", "Uthman"}},
    {"عبد الحميد", G_M | R_MAG | R_EAS, 1, {"Abdelhamid", "Abdul Hamid", "Abdel Hamid"}},
    {"مراد", G_M | R_MAG | R_EAS, 2, {"Mourad", "Murad", "Murad", "Morad"}},
    {"فؤاد", G_M | R_MAG | R_EAS, 1, {"Fouad", "Fouad", "Fuad"}},
    {"أمين", G_M | R_MAG | R_EAS, 2, {"Amine", "Amin", "Amin", "Ameen"}},
    {"إسماعيل", G_M | R_MAG | R_EAS, 3, {"Ismail", "Smail", "Ismaïl", "Ismail", "Ismael"}},
    {"عادل", G_M | R_MAG | R_EAS, 2, {"Adil", "Adel", "Adel", "Adil"}},
    {"عزيز", G_M | R_MAG | R_EAS, 1, {"Aziz", "Aziz"}},
    {"ياسين", G_M | R_MAG | R_EAS, 3, {"Yassine", "Yacine", "Yasin", "Yassin", "Yasin", "Yaseen"}},
    {"أيوب", G_M | R_MAG, 2, {"Ayoub", "Ayoube", "Ayoub", "Ayyub"}},
    {"مهدي", G_M | R_MAG | R_EAS, 2, {"Mehdi", "Mahdi", "Mahdi", "Mehdi"}},
    {"زكرياء", G_M | R_MAG | R_EAS, 3, {"Zakaria", "Zakariya", "Zakariae", "Zakaria", "Zakariya", "Zachariah"}},
    {"سفيان", G_M | R_MAG, 3, {"Soufiane", "Sofiane", "Sofian", "Sufyan", "Sofian"}},
    {"عبد المجيد", G_M | R_MAG | R_EAS, 2, {"Abdelmajid", "Abdelmadjid", "Abdul Majid", "Abdel Meguid"}},
    {"صلاح الدين", G_M | R_MAG | R_EAS, 2, {"Salaheddine", "Salah Eddine", "Salah El Din", "Salah al-Din", "Salahuddin"}},
    {"عبد الكريم", G_M | R_MAG | R_EAS, 2, {"Abdelkrim", "Abdelkarim", "Abdul Karim", "Abdel Karim"}},
    {"بوعلام", G_M | R_MAG, 1, {"Boualem", "Boualem"}},
    {"العربي", G_M | R_MAG, 2, {"Larbi", "Arbi", "El Arabi", "Al-Arabi"}},
    {"محمود", G_M | R_MAG | R_EAS, 2, {"Mahmoud", "Mahmud", "Mahmoud", "Mahmud"}},
    {"صالح", G_M | R_MAG | R_EAS, 2, {"Salah", "Saleh", "Saleh", "Salih"}},
    {"عماد", G_M | R_MAG | R_EAS, 2, {"Imad", "Imed", "Emad", "Imad"}},
    {"وليد", G_M | R_MAG | R_EAS, 2, {"Walid", "Oualid", "Walid", "Waleed"}},
    {"رضا", G_M | R_MAG | R_EAS, 3, {"Reda", "Ridha", "Rida", "Reda", "Rida"}},
    {"منير", G_M | R_MAG | R_EAS, 1, {"Mounir", "Munir", "Mounir"}},
    {"توفيق", G_M | R_MAG | R_EAS, 3, {"Toufik", "Taoufik", "Tawfik", "Tawfik", "Tawfiq", "Tewfik"}},
    {"شريف", G_M | R_MAG | R_EAS, 2, {"Cherif", "Chérif", "Sherif", "Sharif"}},
    {"جلال", G_M | R_MAG | R_EAS, 2, {"Jalal", "Djalal", "Galal", "Jalal"}},
    {"فيصل", G_M | R_MAG | R_EAS, 3, {"Fayçal", "Faycal", "Faical", "Faisal", "Faysal"}},
    {"ناصر", G_M | R_MAG | R_EAS, 2, {"Nacer", "Nasser", "Nasser", "Naser"}},
    {"عبد السلام", G_M | R_MAG | R_EAS, 3, {"Abdeslam", "Abdesselam", "Abdessalem", "Abdul Salam", "Abdel Salam", "Abdussalam"}},
    {"لحسن", G_M | R_MAG, 2, {"Lahcen", "Lahsen", "Lahcen"}},
    {"الطيب", G_M | R_MAG, 2, {"Taieb", "Tayeb", "Tayeb", "Al-Tayyib"}},
    {"جعفر", G_M | R_MAG | R_EAS, 2, {"Jaafar", "Djaafar", "Jafar", "Jaafar"}},
    {"أنس", G_M | R_MAG | R_EAS, 2, {"Anas", "Anass", "Anas"}},
    {"زياد", G_M | R_EAS, 1, {"Ziad", "Ziad", "Ziyad"}},
    {"باسم", G_M | R_EAS, 1, {"Bassem", "Bassem", "Basim"}},
    {"هاني", G_M | R_EAS, 1, {"Hani", "Hany", "Hani"}},
    {"سامي", G_M | R_MAG | R_EAS, 1, {"Sami", "Sami", "Samy"}},
    {"عمرو", G_M | R_EAS, 1, {"Amr", "Amr", "Amro"}},
    {"حازم", G_M | R_EAS, 1, {"Hazem", "Hazem", "Hazim"}},
    {"وائل", G_M | R_EAS, 1, {"Wael", "Wael", "Wail"}},
    {"ماجد", G_M | R_MAG | R_EAS, 2, {"Majid", "Madjid", "Maged", "Majed", "Majid"}},
    {"إياد", G_M | R_EAS, 1, {"Iyad", "Eyad", "Iyad"}},
    {"فادي", G_M | R_EAS, 1, {"Fadi", "Fady", "Fadi"}},
    {"رامي", G_M | R_EAS, 1, {"Rami", "Ramy", "Rami"}},
    {"عبد الرزاق", G_M | R_MAG | R_EAS, 2, {"Abderrazak", "Abderrazzak", "Abdul Razzaq", "Abdel Razek"}},
    {"هادي", G_M | R_MAG | R_EAS, 2, {"Hadi", "El Hadi", "Hadi"}},
    {"مختار", G_M | R_MAG | R_EAS, 1, {"Mokhtar", "Mukhtar", "Mokhtar"}},
    {"فتحي", G_M | R_MAG | R_EAS, 2, {"Fethi", "Fathi", "Fathy", "Fathi"}},
    {"عبد الغني", G_M | R_MAG | R_EAS, 1, {"Abdelghani", "Abdul Ghani", "Abdel Ghani"}},
    {"قاسم", G_M | R_MAG | R_EAS, 3, {"Kacem", "Kassem", "Qassem", "Qasim", "Kassem", "Qassem"}},
    {"بشير", G_M | R_MAG | R_EAS, 2, {"Bachir", "Béchir", "Bashir", "Basheer"}},
    {"موسى", G_M | R_MAG | R_EAS, 2, {"Moussa", "Mousa", "Musa", "Moussa"}},
    {"عيسى", G_M | R_MAG | R_EAS, 2, {"Aissa", "Issa", "Issa", "Isa"}},
    {"مالك", G_M | R_MAG | R_EAS, 2, {"Malik", "Malek", "Malik", "Malek"}},
    {"رياض", G_M | R_MAG | R_EAS, 2, {"Riad", "Riyad", "Riyad", "Riad"}},
    {"زين العابدين", G_M | R_MAG | R_EAS, 2, {"Zine El Abidine", "Zinelabidine", "Zain al-Abidin", "Zein El Abdeen"}},
    {"عبد الحق", G_M | R_MAG, 2, {"Abdelhak", "Abdelhaq", "Abdul Haq", "Abdel Haq"}},
    {"حميد", G_M | R_MAG | R_EAS, 1, {"Hamid", "Hamid", "Hameed"}},
    {"عبد اللطيف", G_M | R_MAG | R_EAS, 2, {"Abdellatif", "Abdelatif", "Abdul Latif", "Abdel Latif"}},
    {"أسامة", G_M | R_MAG | R_EAS, 2, {"Oussama", "Ousama", "Osama", "Usama"}},
    {"فاطمة", G_F | R_MAG | R_EAS, 3, {"Fatima", "Fatma", "Fatema", "Fatma", "Fatima", "Fatimah"}},
    {"خديجة", G_F | R_MAG | R_EAS, 3, {"Khadija", "Khadidja", "Khadîja", "Khadiga", "Khadija", "Khadijah"}},
    {"عائشة", G_F | R_MAG | R_EAS, 3, {"Aicha", "Aïcha", "Aisha", "Aisha", "Aysha", "Aesha"}},
    {"مريم", G_F | R_MAG | R_EAS, 4, {"Meryem", "Mariam", "Myriam", "Maryam", "Mariam", "Maryam", "Mariem"}},
    {"زينب", G_F | R_MAG | R_EAS, 3, {"Zineb", "Zeineb", "Zaynab", "Zeinab", "Zaynab", "Zainab"}},
    {"نادية", G_F | R_MAG | R_EAS, 1, {"Nadia", "Nadia", "Nadiya"}},
    {"سعاد", G_F | R_MAG | R_EAS, 2, {"Souad", "Soad", "Suad", "Soad"}},
    {"حليمة", G_F | R_MAG | R_EAS, 1, {"Halima", "Halima", "Halimah"}},
    {"نعيمة", G_F | R_MAG | R_EAS, 2, {"Naima", "Naïma", "Naima", "Naeema"}},
    {"أمينة", G_F | R_MAG | R_EAS, 1, {"Amina", "Amina", "Ameena"}},
    {"ليلى", G_F | R_MAG | R_EAS, 3, {"Leila", "Leïla", "Laila", "Layla", "Laila", "Leila"}},
    {"سلمى", G_F | R_MAG | R_EAS, 2, {"Salma", "Selma", "Salma"}},
    {"هند", G_F | R_MAG | R_EAS, 1, {"Hind", "Hind", "Hend"}},
    {"رشيدة", G_F | R_MAG, 1, {"Rachida", "Rashida"}},
    {"سميرة", G_F | R_MAG | R_EAS, 1, {"Samira", "Samira", "Sameera"}},
    {"نجاة", G_F | R_MAG | R_EAS, 2, {"Najat", "Nadjet", "Nagat", "Najat"}},
    {"إيمان", G_F | R_MAG | R_EAS, 2, {"Imane", "Iman", "Iman", "Eman"}},
    {"أسماء", G_F | R_MAG | R_EAS, 3, {"Asmae", "Asma", "Asmaa", "Asmaa", "Asma"}},
    {"حنان", G_F | R_MAG | R_EAS, 2, {"Hanane", "Hanan", "Hanan"}},
    {"سناء", G_F | R_MAG | R_EAS, 2, {"Sanae", "Sanaa", "Sanaa", "Sana"}},
    {"وفاء", G_F | R_MAG | R_EAS, 3, {"Ouafae", "Wafaa", "Wafa", "Wafaa", "Wafa"}},
    {"كريمة", G_F | R_MAG | R_EAS, 1, {"Karima", "Karima", "Kareema"}},
    {"لطيفة", G_F | R_MAG | R_EAS, 1, {"Latifa", "Latifa", "Lateefa"}},
    {"يمينة", G_F | R_MAG, 1, {"Yamina", "Yamina"}},
    {"جميلة", G_F | R_MAG | R_EAS, 2, {"Jamila", "Djamila", "Gamila", "Jamila"}},
    {"نور", G_F | R_MAG | R_EAS, 2, {"Nour", "Nur", "Nour", "Noor"}},
    {"رانيا", G_F | R_EAS, 1, {"Rania", "Rania", "Ranya"}},
    {"دعاء", G_F | R_MAG | R_EAS, 2, {"Douaa", "Doha", "Doaa", "Duaa"}},
    {"هدى", G_F | R_MAG | R_EAS, 2, {"Houda", "Hoda", "Huda", "Hoda"}},
    {"سارة", G_F | R_MAG | R_EAS, 2, {"Sara", "Sarah", "Sara", "Sarah"}},
    {"ياسمين", G_F | R_MAG | R_EAS, 2, {"Yasmine", "Yasmina", "Yasmin", "Yasmeen"}},
    {"منى", G_F | R_MAG | R_EAS, 2, {"Mouna", "Mona", "Mona", "Muna"}},
    {"إلهام", G_F | R_MAG | R_EAS, 2, {"Ilham", "Ilhame", "Elham", "Ilham"}},
    {"نوال", G_F | R_MAG | R_EAS, 2, {"Nawal", "Naoual", "Nawal"}},
    {"رحمة", G_F | R_MAG | R_EAS, 1, {"Rahma", "Rahma"}},
    {"غادة", G_F | R_EAS, 1, {"Ghada", "Ghada"}},
    {"رنا", G_F | R_EAS, 1, {"Rana", "Rana"}},
    {"هبة", G_F | R_EAS, 1, {"Hiba", "Heba", "Hiba"}},
    {"مروة", G_F | R_EAS | R_MAG, 2, {"Marwa", "Maroua", "Marwa"}},
};

/* Surnames of Arabic origin, with their Arabic script. */
static const struct aname ar_sur[] = {
    {"العمراني", R_MAG, 3, {"El Amrani", "Amrani", "Elamrani", "Al-Amrani", "El Amrani"}},
    {"بن علي", R_MAG, 2, {"Benali", "Ben Ali", "Ben Ali", "Bin Ali"}},
    {"العلوي", R_MAG, 2, {"Alaoui", "El Alaoui", "Al-Alawi", "Alawi"}},
    {"الإدريسي", R_MAG, 3, {"Idrissi", "El Idrissi", "Drissi", "Al-Idrisi", "Idrisi"}},
    {"التازي", R_MAG, 1, {"Tazi", "Al-Tazi", "Tazi"}},
    {"بناني", R_MAG, 2, {"Bennani", "Benani", "Bennani", "Binani"}},
    {"الشرقاوي", R_MAG, 2, {"Cherkaoui", "Cherqaoui", "Al-Sharqawi", "Sharqawi"}},
    {"الشرايبي", R_MAG, 2, {"Chraibi", "Chraïbi", "Shraybi", "Al-Shraybi"}},
    {"برادة", R_MAG, 1, {"Berrada", "Barrada"}},
    {"الفاسي", R_MAG, 2, {"El Fassi", "Fassi", "Al-Fasi", "Fasi"}},
    {"بنجلون", R_MAG, 2, {"Benjelloun", "Benjeloun", "Bin Jallun", "Benjelloun"}},
    {"والي", R_MAG, 1, {"Ouali", "Wali"}},
    {"حداد", R_MAG | R_EAS, 1, {"Haddad", "Haddad"}},
    {"المنصوري", R_MAG, 2, {"Mansouri", "El Mansouri", "Al-Mansuri", "Mansouri"}},
    {"صالح", R_MAG | R_EAS, 2, {"Saleh", "Salah", "Saleh", "Salih"}},
    {"بلقاسم", R_MAG, 2, {"Belkacem", "Belkassem", "Belqasim", "Belkacem"}},
    {"بوضياف", R_MAG, 1, {"Boudiaf", "Boudiaf", "Bu Diyaf"}},
    {"بوعزة", R_MAG, 2, {"Bouazza", "Bou Azza", "Buazza", "Bouazza"}},
    {"بن يوسف", R_MAG, 3, {"Benyoussef", "Ben Youssef", "Benyoucef", "Bin Yusuf", "Ben Youssef"}},
    {"ولد أحمد", R_MAG, 1, {"Ould Ahmed", "Ould Ahmed", "Wuld Ahmad"}},
    {"حمدي", R_MAG | R_EAS, 1, {"Hamdi", "Hamdy", "Hamdi"}},
    {"الطرابلسي", R_MAG, 1, {"Trabelsi", "Trabelsi", "Al-Tarabulsi"}},
    {"الجبالي", R_MAG, 2, {"Jebali", "Djebali", "Jebali", "Al-Jabali"}},
    {"الغربي", R_MAG, 1, {"Gharbi", "Gharbi", "Al-Gharbi"}},
    {"بن صالح", R_MAG, 2, {"Ben Salah", "Bensalah", "Ben Salah", "Bin Saleh"}},
    {"بن عمار", R_MAG, 2, {"Ben Ammar", "Benammar", "Ben Ammar"}},
    {"الماجري", R_MAG, 1, {"Mejri", "Mejri", "Al-Majri"}},
    {"بوزيد", R_MAG, 1, {"Bouzid", "Bouzid", "Abu Zaid"}},
    {"براهيمي", R_MAG, 1, {"Brahimi", "Brahimi", "Ibrahimi"}},
    {"بلحاج", R_MAG, 2, {"Belhadj", "Belhaj", "Belhaj", "Bel Hajj"}},
    {"زروقي", R_MAG, 2, {"Zerrouki", "Zerouki", "Zarruqi"}},
    {"السعيدي", R_MAG, 3, {"Saidi", "Saïdi", "Essaidi", "Al-Saidi", "Saidi"}},
    {"زياني", R_MAG, 1, {"Ziani", "Ziani", "Zayani"}},
    {"القدوري", R_MAG, 2, {"Kaddouri", "Kadouri", "Qaddouri"}},
    {"لحلو", R_MAG, 1, {"Lahlou", "Lahlou", "Lahlu"}},
    {"الناصري", R_MAG, 2, {"Naciri", "Nasiri", "Al-Nasiri", "Nasiri"}},
    {"سليماني", R_MAG, 1, {"Slimani", "Slimani", "Sulaimani"}},
    {"السبتي", R_MAG, 1, {"Sebti", "Sebti", "Al-Sabti"}},
    {"الطاهري", R_MAG, 2, {"Tahiri", "Taheri", "Tahiri", "Al-Tahiri"}},
    {"البقالي", R_MAG, 2, {"Bakkali", "El Bakkali", "Al-Baqqali", "Baqqali"}},
    {"الوزاني", R_MAG, 2, {"Ouazzani", "El Ouazzani", "Al-Wazzani", "Wazzani"}},
    {"الكتاني", R_MAG, 2, {"Kettani", "El Kettani", "Al-Kattani", "Kattani"}},
    {"الرحموني", R_MAG, 1, {"Rahmouni", "Rahmouni", "Al-Rahmuni"}},
    {"بن موسى", R_MAG, 2, {"Benmoussa", "Ben Moussa", "Bin Musa", "Ben Moussa"}},
    {"بنكيران", R_MAG, 1, {"Benkirane", "Benkiran", "Bin Kiran"}},
    {"الحجي", R_MAG, 2, {"Hajji", "El Hajji", "Hajji", "Al-Hajji"}},
    {"الحسني", R_MAG, 2, {"Hassani", "El Hassani", "Al-Hassani", "Hasani"}},
    {"الكريمي", R_MAG, 2, {"Karimi", "El Karimi", "Karimi"}},
    {"شاكر", R_MAG | R_EAS, 2, {"Chakir", "Chaker", "Shakir", "Shaker"}},
    {"مزيان", R_MAG, 2, {"Meziane", "Mziane", "Meziane", "Mazyan"}},
    {"بوعبد الله", R_MAG, 2, {"Bouabdallah", "Bou Abdallah", "Bouabdallah", "Abu Abdullah"}},
    {"خليفي", R_MAG, 2, {"Khelifi", "Khalifi", "Khalifi", "Khelifi"}},
    {"مباركي", R_MAG, 2, {"Mebarki", "Mbarki", "Mubaraki", "Mebarki"}},
    {"البخاري", R_MAG, 3, {"Boukhari", "El Boukhari", "Bukhari", "Al-Bukhari", "Bukhari"}},
    {"مسعودي", R_MAG, 1, {"Messaoudi", "Masoudi", "Messaoudi"}},
    {"الشريف", R_MAG | R_EAS, 3, {"Cherif", "Chérif", "Echcherif", "Al-Sharif", "Sharif", "Sherif"}},
    {"الشاوش", R_MAG, 1, {"Chaouch", "Shawish", "Chaouch"}},
    {"محجوب", R_MAG, 1, {"Mahjoub", "Mahjoub", "Mahgoub"}},
    {"الدريدي", R_MAG, 1, {"Dridi", "Dridi"}},
    {"الرياحي", R_MAG, 1, {"Riahi", "Riahi", "Al-Riyahi"}},
    {"الحمامي", R_MAG, 1, {"Hammami", "Hammami", "Al-Hammami"}},
    {"العياري", R_MAG, 1, {"Ayari", "Ayari", "Al-Ayari"}},
    {"الجزيري", R_MAG, 2, {"Jaziri", "Djaziri", "Jaziri", "Al-Jaziri"}},
    {"بن عبد الله", R_MAG, 3, {"Benabdallah", "Ben Abdallah", "Benabdellah", "Bin Abdullah", "Ben Abdallah"}},
    {"الزهراوي", R_MAG, 1, {"Zahraoui", "Zahrawi", "Al-Zahrawi"}},
    {"الخطابي", R_MAG, 2, {"Khattabi", "El Khattabi", "Al-Khattabi", "Khattabi"}},
    {"المرابط", R_MAG, 2, {"Mrabet", "El Mrabet", "Al-Murabit", "Mrabet"}},
    {"الفيلالي", R_MAG, 2, {"Filali", "El Filali", "Al-Filali", "Filali"}},
    {"العثماني", R_MAG, 2, {"Othmani", "El Othmani", "Al-Uthmani", "Othmani"}},
    {"بنعيسى", R_MAG, 2, {"Benaissa", "Ben Aissa", "Ben Issa", "Bin Isa"}},
    {"زروال", R_MAG, 1, {"Zeroual", "Zerwal", "Zeroual"}},
    {"مقراني", R_MAG, 1, {"Mokrani", "Muqrani", "Mokrani"}},
    {"الحمداوي", R_MAG, 2, {"Hamdaoui", "El Hamdaoui", "Hamdawi", "Al-Hamdawi"}},
    {"الصديقي", R_MAG, 2, {"Seddiki", "Sediki", "Siddiqi", "Al-Siddiqi"}},
    {"بلعيد", R_MAG, 2, {"Belaid", "Belaïd", "Bel Aid", "Belaid"}},
    {"المراكشي", R_MAG, 2, {"Marrakchi", "El Marrakchi", "Al-Marrakshi", "Marrakshi"}},
    {"الدكالي", R_MAG, 2, {"Doukkali", "Dokkali", "Al-Dukkali", "Doukkali"}},
    {"السوسي", R_MAG, 2, {"Soussi", "Essoussi", "Al-Susi", "Soussi"}},
    {"منصور", R_EAS | R_MAG, 1, {"Mansour", "Mansour", "Mansur"}},
    {"خليل", R_EAS | R_MAG, 1, {"Khalil", "Khalil", "Khaleel"}},
    {"حسن", R_EAS, 1, {"Hassan", "Hassan", "Hasan"}},
    {"إبراهيم", R_EAS, 1, {"Ibrahim", "Ibrahim", "Ebrahim"}},
    {"عبد الرحمن", R_EAS, 1, {"Abderrahmane", "Abdel Rahman", "Abdul Rahman", "Abdelrahman"}},
    {"السيد", R_EAS, 1, {"Sayed", "El Sayed", "El-Sayed", "Al-Sayyid"}},
    {"محمود", R_EAS, 1, {"Mahmoud", "Mahmoud", "Mahmud"}},
    {"مصطفى", R_EAS, 1, {"Mustapha", "Mostafa", "Mustafa"}},
    {"فاروق", R_EAS, 1, {"Farouk", "Farouk", "Faruq"}},
    {"حسين", R_EAS, 1, {"Hussein", "Hussein", "Hussain", "Husayn"}},
    {"ناصر", R_EAS, 1, {"Nasser", "Nasser", "Nasir"}},
    {"الخوري", R_EAS, 1, {"Khoury", "Khoury", "El Khoury", "Khouri"}},
    {"عون", R_EAS, 1, {"Aoun", "Aoun", "Awn"}},
    {"سعيد", R_EAS, 1, {"Said", "Said", "Saeed"}},
    {"درويش", R_EAS, 1, {"Darwiche", "Darwish", "Darwiche"}},
    {"الشامي", R_EAS, 1, {"Chami", "Shami", "Al-Shami", "El Shamy"}},
    {"الحلبي", R_EAS, 1, {"Halabi", "Halabi", "Al-Halabi"}},
    {"المصري", R_EAS, 1, {"Masri", "Masri", "El Masry", "Al-Masri"}},
    {"زكي", R_EAS, 1, {"Zaki", "Zaki", "Zaky"}},
    {"فهمي", R_EAS, 1, {"Fahmi", "Fahmy", "Fahmi"}},
    {"غانم", R_EAS, 1, {"Ghanem", "Ghanem", "Ghanim"}},
    {"عباس", R_EAS, 1, {"Abbas", "Abbas"}},
    {"سعد", R_EAS, 1, {"Saad", "Saad", "Saad"}},
    {"شعبان", R_EAS, 1, {"Chaabane", "Shaaban", "Shaban"}},
    {"عطية", R_EAS, 1, {"Attia", "Attia", "Atiyah"}},
    {"حجازي", R_EAS, 1, {"Hijazi", "Hegazy", "Hijazi", "Hegazi"}},
    {"سليمان", R_EAS, 1, {"Soliman", "Soliman", "Sulaiman", "Suleiman"}},
    {"توفيق", R_EAS, 1, {"Tawfik", "Tawfik", "Tawfiq"}},
    {"عثمان", R_EAS, 1, {"Othman", "Osman", "Othman"}},
    {"ياسين", R_EAS, 1, {"Yassine", "Yassin", "Yasin"}},
    {"بركات", R_EAS, 1, {"Barakat", "Barakat"}},
    {"جابر", R_EAS, 1, {"Jaber", "Jaber", "Jabir"}},
    {"قاسم", R_EAS, 1, {"Kassem", "Qassem", "Kassem", "Qasim"}},
    {"نصر الله", R_EAS, 1, {"Nasrallah", "Nasrallah", "Nasr Allah"}},
    {"حمدان", R_EAS, 1, {"Hamdan", "Hamdan"}},
    {"عوض", R_EAS, 1, {"Awad", "Awad", "Awadh"}},
    {"الصباغ", R_EAS, 1, {"Sabbagh", "Sabbagh", "Al-Sabbagh"}},
    {"الخطيب", R_EAS, 1, {"Khatib", "Khatib", "Al-Khatib", "El Khatib"}},
    {"النجار", R_EAS, 1, {"Najjar", "Najjar", "Al-Najjar", "El Naggar"}},
    {"التميمي", R_EAS, 1, {"Tamimi", "Tamimi", "Al-Tamimi"}},
    {"عبيد", R_EAS, 1, {"Obeid", "Obeid", "Ubaid"}},
    {"الرفاعي", R_EAS, 1, {"Rifai", "Rifai", "Al-Rifai", "El Refaie"}},
    {"قباني", R_EAS, 1, {"Kabbani", "Kabbani", "Qabbani"}},
    {"الأسعد", R_EAS, 1, {"Assaad", "Assaad", "Al-Asaad"}},
    {"عبد الله", R_EAS, 1, {"Abdallah", "Abdullah", "Abdallah"}},
    {"الجبوري", R_EAS, 1, {"Jabouri", "Al-Jubouri", "Jubouri", "Al-Jabouri"}},
    {"الدليمي", R_EAS, 1, {"Dulaimi", "Al-Dulaimi", "Dulaimi"}},
    {"الحسيني", R_EAS, 1, {"Husseini", "Al-Husseini", "Husseini"}},
    {"الزين", R_EAS, 1, {"Zein", "El Zein", "Al-Zein", "Zein"}},
    {"شحادة", R_EAS, 1, {"Chehade", "Shehadeh", "Chehade", "Shahada"}},
    {"حمود", R_EAS, 1, {"Hammoud", "Hammoud", "Hamoud"}},
    {"العبيدي", R_EAS, 1, {"Obeidi", "Al-Obeidi", "Obaidi"}},
    {"الحلو", R_EAS, 1, {"Helou", "Helou", "El Helou", "Al-Hilu"}},
    {"جرجس", R_EAS, 1, {"Guirguis", "Girgis", "Guirguis", "Gerges"}},
};

/* Amazigh given names (Latin; Arabic script where in common use). */
static const struct aname ber_given[] = {
    {"ماسينيسا", G_M, 2, {"Massinissa", "Massinisa"}},
    {"إدير", G_M, 1, {"Idir"}},
    {"أمياس", G_M, 2, {"Amayas", "Amayes"}},
    {"أكسيل", G_M, 2, {"Aksil", "Axil"}},
    {"كسيلة", G_M, 2, {"Koceila", "Kusayla"}},
    {"يوبا", G_M, 2, {"Yuba", "Juba"}},
    {"مازيغ", G_M, 1, {"Mazigh"}},
    {"أنير", G_M, 1, {"Anir"}},
    {"يانيس", G_M, 2, {"Yanis", "Yannis"}},
    {"لونيس", G_M, 2, {"Lounes", "Lounès"}},
    {"أرزقي", G_M, 1, {"Arezki"}},
    {"موحند", G_M, 2, {"Mohand", "Mhand"}},
    {"أمزيان", G_M, 1, {"Ameziane"}},
    {"أكلي", G_M, 1, {"Akli"}},
    {"أمستان", G_M, 1, {"Amastan"}},
    {"يوغرطة", G_M, 2, {"Jugurtha", "Yugurten"}},
    {"أغيلاس", G_M, 1, {"Ghilas"}},
    {"سيفاو", G_M, 1, {"Sifaw"}},
    {"تافسوت", G_F, 2, {"Tafsut", "Tafsout"}},
    {"ديهيا", G_F, 2, {"Dihya", "Dihia"}},
    {"تيزيري", G_F, 2, {"Tiziri", "Thiziri"}},
    {"تينهينان", G_F, 2, {"Tinhinane", "Tin Hinan"}},
    {"طاوس", G_F, 2, {"Taous", "Tawes"}},
    {"وردية", G_F, 2, {"Ouardia", "Wardia"}},
    {"كاهنة", G_F, 2, {"Kahina", "Kahena"}},
    {"تانينا", G_F, 1, {"Tanina"}},
    {"تيليلي", G_F, 2, {"Thilelli", "Tilelli"}},
    {"تسليت", G_F, 1, {"Tislit"}},
    {"تمازيغت", G_F, 1, {"Tamazight"}},
    {"نوميديا", G_F, 1, {"Numidia"}},
    {"تاكفاريناس", G_M, 1, {"Takfarinas"}},
};

static const struct aname ber_sur[] = {
    {"آيت بن حدو", 0, 3, {"Ait Benhaddou", "Aït Benhaddou", "Ait-Benhaddou"}},
    {"آيت أحمد", 0, 3, {"Ait Ahmed", "Aït Ahmed", "Ath Ahmed"}},
    {"آيت علي", 0, 3, {"Ait Ali", "Aït Ali", "Ait-Ali"}},
    {"آيت سعيد", 0, 2, {"Ait Said", "Aït Saïd"}},
    {"أومولود", 0, 2, {"Oumouloud", "Ou Mouloud"}},
    {"إيدير", 0, 1, {"Idir"}},
    {"أملال", 0, 1, {"Amellal"}},
    {"عمروش", 0, 2, {"Amrouche", "Amrouch"}},
    {"آيت أوفلة", 0, 2, {"Ait Oufella", "Aït Oufella"}},
    {"آيت منقلات", 0, 2, {"Ait Menguellet", "Aït Menguellet"}},
    {"آيت حمودة", 0, 2, {"Ait Hamouda", "Aït Hamouda"}},
    {"أوهادي", 0, 1, {"Ouhadi"}},
    {"أوكاشة", 0, 2, {"Oukacha", "Oukacha"}},
    {"إدبراهيم", 0, 2, {"Idbrahim", "Id Brahim"}},
    {"إيد علي", 0, 2, {"Id Ali", "Idali"}},
    {"أوباها", 0, 1, {"Oubaha"}},
    {"أكلي", 0, 1, {"Akli"}},
    {"معمري", 0, 2, {"Mammeri", "Mameri"}},
    {"عوشيش", 0, 1, {"Aouchiche"}},
    {"أوشن", 0, 2, {"Ouchene", "Ouchen"}},
    {"أمزيان", 0, 1, {"Ameziane"}},
    {"بوخلفة", 0, 1, {"Boukhalfa"}},
    {"إيزم", 0, 1, {"Izem"}},
    {"يفصح", 0, 1, {"Yefsah"}},
    {"فرحات", 0, 1, {"Ferhat"}},
    {"أويحيى", 0, 2, {"Ouyahia", "Ou Yahia"}},
    {"وادو", 0, 1, {"Ouaddou"}},
    {"أمازيغ", 0, 1, {"Amazigh"}},
    {"أخنوش", 0, 2, {"Akhannouch", "Akhenouch"}},
    {"أوطالب", 0, 1, {"Outaleb"}},
    {"أوكريم", 0, 1, {"Ouakrim"}},
    {"أوبلقاسم", 0, 1, {"Oubelkacem"}},
    {"آيت إيدير", 0, 2, {"Ait Idir", "Aït Idir"}},
    {"آيت منصور", 0, 2, {"Ait Mansour", "Aït Mansour"}},
    {"آيت لحسن", 0, 2, {"Ait Lahcen", "Aït Lahcen"}},
    {"آيت الطالب", 0, 2, {"Ait Taleb", "Aït Taleb"}},
    {"آيت باها", 0, 1, {"Ait Baha"}},
};

/* European names: plain strings, most frequent first. */
static const char *const it_m[] = {
    "Giuseppe", "Giovanni", "Antonio", "Mario", "Francesco", "Luigi", "Angelo", "Vincenzo",
    "Pietro", "Salvatore", "Carlo", "Franco", "Domenico", "Bruno", "Paolo", "Michele",
    "Giorgio", "Aldo", "Sergio", "Luciano", "Marco", "Alessandro", "Andrea", "Luca",
    "Matteo", "Lorenzo", "Stefano", "Roberto", "Massimo", "Davide", "Simone", "Gianluca",
    "Fabio", "Emanuele", "Riccardo", "Daniele", "Claudio", "Nicola", "Raffaele", "Gennaro",
    "Ciro", "Gianni", "Enzo", "Filippo", "Alessio", "Tommaso"};
static const char *const it_f[] = {
    "Maria", "Anna", "Giuseppina", "Rosa", "Angela", "Giovanna", "Teresa", "Lucia",
    "Carmela", "Caterina", "Francesca", "Antonietta", "Carla", "Elena", "Concetta", "Rita",
    "Margherita", "Franca", "Paola", "Giulia", "Chiara", "Sara", "Federica", "Valentina",
    "Alessandra", "Martina", "Silvia", "Laura", "Elisa", "Sofia", "Annamaria", "Nicoletta"};
static const char *const it_s[] = {
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
    "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa",
    "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani",
    "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo", "Gentile",
    "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti",
    "Parisi", "Villa", "Conte", "Ferraro", "Ferri", "Fabbri", "Bianco", "Marini",
    "Grasso", "Valentini", "Messina", "Sala", "De Angelis", "Gatti", "Pellegrini", "Palumbo",
    "Sanna", "Farina", "Rizzi", "Monti", "Cattaneo", "Morelli", "Amato", "Silvestri",
    "Mazza", "Testa", "Grassi", "Pellegrino", "Carbone", "Giuliani", "Benedetti", "Barone",
    "Caputo", "Montanari", "Guerra", "Palmieri", "Bernardi", "Fiore", "De Rosa", "Ferretti",
    "Bellini", "Basile", "Riva", "Donati", "Piras", "Battaglia", "Sartori", "Neri",
    "Milani", "Pagano", "Ruggiero", "Sorrentino", "D'Amico", "Orlando", "Di Stefano", "La Rosa",
    "Lo Russo", "Di Pietro", "Cocco", "Mele"};
static const char *const es_m[] = {
    "José", "Antonio", "Manuel", "Francisco", "Juan", "David", "Javier", "Daniel",
    "Carlos", "Jesús", "Alejandro", "Miguel", "Rafael", "Pedro", "Ángel", "Pablo",
    "Sergio", "Fernando", "Jorge", "Luis", "Alberto", "Álvaro", "Adrián", "Diego",
    "Raúl", "Enrique", "Ramón", "Vicente", "Andrés", "Joaquín", "Santiago", "Víctor",
    "Eduardo", "Mario", "Roberto", "Jaime", "Ignacio", "Alfonso", "Rubén", "Óscar",
    "Iván", "Hugo", "Marcos", "Gonzalo"};
static const char *const es_f[] = {
    "María", "Carmen", "Ana", "Isabel", "Dolores", "Pilar", "Teresa", "Rosa",
    "Josefa", "Cristina", "Lucía", "Laura", "Marta", "Antonia", "Francisca", "Elena",
    "Mercedes", "Concepción", "Paula", "Raquel", "Sara", "Rosario", "Manuela", "Beatriz",
    "Encarnación", "Julia", "Silvia", "Nuria", "Irene", "Patricia", "Montserrat", "Inmaculada",
    "Rocío", "Andrea", "Alba"};
/* Second parts of Spanish compound given names ("José Luis", "María del Carmen"). */
static const char *const es_m2[] = {"Luis", "Antonio", "Manuel", "Carlos", "José", "Javier",
                                    "Ángel", "Miguel", "Ignacio", "María"};
static const char *const es_f2[] = {"José", "del Carmen", "Dolores", "Pilar", "Teresa",
                                    "Isabel", "de los Ángeles", "Luisa", "Jesús", "Victoria"};
static const char *const es_s[] = {
    "García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez",
    "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz",
    "Álvarez", "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez",
    "Ramos", "Gil", "Ramírez", "Serrano", "Blanco", "Molina", "Morales", "Suárez",
    "Ortega", "Delgado", "Castro", "Ortiz", "Rubio", "Marín", "Sanz", "Núñez",
    "Iglesias", "Medina", "Garrido", "Cortés", "Castillo", "Santos", "Lozano", "Guerrero",
    "Cano", "Prieto", "Méndez", "Cruz", "Calvo", "Gallego", "Vidal", "León",
    "Márquez", "Herrera", "Peña", "Flores", "Cabrera", "Campos", "Vega", "Fuentes",
    "Carrasco", "Díez", "Caballero", "Reyes", "Nieto", "Aguilar", "Pascual", "Santana",
    "Herrero", "Lorenzo", "Montero", "Hidalgo", "Giménez", "Ibáñez", "Ferrer", "Durán",
    "Benítez", "Mora", "Vargas", "Arias", "Carmona", "Crespo", "Román", "Pastor",
    "Soto", "Sáez", "Velasco", "Moya", "Soler", "Parra", "Esteban", "Bravo",
    "Gallardo", "Rojas", "de la Fuente", "del Río"};
static const char *const fr_m[] = {
    "Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "Christophe", "Patrick",
    "Daniel", "Laurent", "Frédéric", "Stéphane", "David", "Éric", "Julien", "Sébastien",
    "Thomas", "Olivier", "Pascal", "Jean-Pierre", "Jean-Claude", "Jean-Luc", "Jean-François",
    "Bernard", "Thierry", "Dominique", "François", "Christian", "Gérard", "Didier", "Vincent",
    "Guillaume", "Antoine", "Maxime", "Alexandre", "Romain", "Kévin", "Jérôme", "Mathieu",
    "Benjamin", "Hugo", "Lucas", "Louis", "Jean-Marc", "Yannick", "Cédric"};
static const char *const fr_f[] = {
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Martine", "Christine",
    "Monique", "Valérie", "Sandrine", "Sophie", "Stéphanie", "Céline", "Véronique", "Nicole",
    "Chantal", "Anne", "Julie", "Aurélie", "Caroline", "Émilie", "Camille", "Laura",
    "Marie-Claude", "Marie-Christine", "Anne-Marie", "Léa", "Manon", "Chloé", "Élodie", "Hélène",
    "Brigitte", "Marie-Thérèse", "Sabrina", "Audrey"};
static const char *const fr_s[] = {
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
    "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre",
    "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier",
    "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
    "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine",
    "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis",
    "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël",
    "Meyer", "Lucas", "Meunier", "Perez", "Marchand", "Dufour", "Blanchard", "Barbier",
    "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez", "Renard",
    "Arnaud", "Rolland", "Caron", "Aubert", "Giraud", "Leclerc", "Vidal", "Bourgeois",
    "Renaud", "Lemoine", "Picard", "Gaillard", "Lacroix", "Fabre", "Dupuis", "Da Silva",
    "Hubert", "Rivière", "Le Gall", "Le Roux", "Moulin", "Berger", "Lecomte", "Fleury",
    "Deschamps", "Carpentier", "Prévost", "Poirier", "Charpentier", "Huet", "Dupuy", "Le Goff"};

/* ---------------------------------------------------------------------------------------------
 * The long tail. Real alert lists have hundreds of thousands of distinct surnames: beyond the
 * hand tables above, names are composed from morphemes (see "Composed names" below). Rarer
 * European given names come from these larger tables.
 */
static const char *const it_m_rare[] = {
    "Achille", "Adelmo", "Agostino", "Amedeo", "Arturo", "Attilio", "Baldassarre", "Benito",
    "Biagio", "Calogero", "Camillo", "Cosimo", "Corrado", "Dario", "Egidio", "Elio",
    "Ermanno", "Ettore", "Ezio", "Fausto", "Fiorenzo", "Gaetano", "Gerardo", "Gervasio",
    "Ignazio", "Italo", "Lamberto", "Leonardo", "Livio", "Massimiliano", "Nazzareno", "Oreste",
    "Ottavio", "Pasquale", "Renato", "Rocco", "Romualdo", "Sabatino", "Saverio", "Tancredi",
    "Ubaldo", "Umberto", "Valerio", "Vittorio", "Walter", "Zeno"};
static const char *const it_f_rare[] = {
    "Agata", "Agnese", "Albina", "Assunta", "Beatrice", "Benedetta", "Carolina", "Cesira",
    "Clelia", "Costanza", "Donatella", "Edvige", "Elvira", "Ernesta", "Filomena", "Fiorella",
    "Gelsomina", "Ginevra", "Immacolata", "Ines", "Ivana", "Letizia", "Ludovica", "Marcella",
    "Mirella", "Nunzia", "Ornella", "Pierina", "Raffaella", "Rosalba", "Serafina", "Tiziana",
    "Vittoria", "Viviana"};
static const char *const es_m_rare[] = {
    "Abel", "Agustín", "Anselmo", "Aurelio", "Baltasar", "Bartolomé", "Benito", "Blas",
    "Casimiro", "Ceferino", "Cipriano", "Clemente", "Crisanto", "Eladio", "Eusebio", "Evaristo",
    "Fabián", "Faustino", "Fermín", "Florencio", "Gregorio", "Heriberto", "Hilario", "Inocencio",
    "Isidro", "Jacinto", "Leandro", "Leoncio", "Marcelino", "Modesto", "Nicanor", "Pascual",
    "Patricio", "Primitivo", "Rogelio", "Saturnino", "Segundo", "Teodoro", "Urbano", "Valeriano",
    "Wenceslao", "Zacarías"};
static const char *const es_f_rare[] = {
    "Amparo", "Araceli", "Asunción", "Aurora", "Begoña", "Candelaria", "Casilda", "Celestina",
    "Consuelo", "Eulalia", "Fuensanta", "Gertrudis", "Herminia", "Itziar", "Leocadia", "Lourdes",
    "Macarena", "Milagros", "Nieves", "Obdulia", "Purificación", "Remedios", "Rosalía", "Soledad",
    "Trinidad", "Visitación", "Yolanda", "Zoraida"};
static const char *const fr_m_rare[] = {
    "Adrien", "Aimé", "Albéric", "Amaury", "Anatole", "Aristide", "Armand", "Augustin",
    "Baptiste", "Barthélemy", "Basile", "Célestin", "Clovis", "Corentin", "Désiré", "Edmond",
    "Eugène", "Évariste", "Fernand", "Firmin", "Gaspard", "Gonzague", "Hippolyte", "Honoré",
    "Isidore", "Joachim", "Léon", "Lucien", "Marius", "Maurice", "Octave", "Onésime",
    "Prosper", "Raoul", "Séverin", "Sylvain", "Théophile", "Valentin", "Victorin", "Yves"};
static const char *const fr_f_rare[] = {
    "Adèle", "Agathe", "Albertine", "Apolline", "Bérénice", "Blanche", "Capucine", "Clémence",
    "Colette", "Eugénie", "Félicie", "Geneviève", "Germaine", "Henriette", "Honorine", "Huguette",
    "Joséphine", "Léontine", "Lucienne", "Madeleine", "Mathilde", "Ombeline", "Paulette", "Philomène",
    "Roseline", "Solange", "Suzanne", "Yvette"};

/* Arabic consonants for composed names: Arabic letter, then Latin by variant (0 French main,
 * 1 French other, 2 English main, 3 English other). */
struct acons {
    const char *ar;
    const char *v[4];
    uint8_t gut; /* guttural: never next to another one */
};

static const struct acons acons[] = {
    {"ب", {"b", "b", "b", "b"}, 0},      {"ت", {"t", "t", "t", "t"}, 0},
    {"ج", {"j", "dj", "j", "g"}, 0},     {"ح", {"h", "h", "h", "h"}, 1},
    {"خ", {"kh", "kh", "kh", "kh"}, 1},  {"د", {"d", "d", "d", "d"}, 0},
    {"ر", {"r", "r", "r", "r"}, 0},      {"ز", {"z", "z", "z", "z"}, 0},
    {"س", {"s", "s", "s", "s"}, 0},      {"ش", {"ch", "ch", "sh", "sh"}, 0},
    {"ص", {"s", "s", "s", "s"}, 0},      {"ط", {"t", "t", "t", "t"}, 0},
    {"غ", {"gh", "gh", "gh", "gh"}, 1},  {"ف", {"f", "f", "f", "f"}, 0},
    {"ق", {"k", "q", "q", "k"}, 1},      {"ك", {"k", "k", "k", "k"}, 0},
    {"ل", {"l", "l", "l", "l"}, 0},      {"م", {"m", "m", "m", "m"}, 0},
    {"ن", {"n", "n", "n", "n"}, 0},      {"ه", {"h", "h", "h", "h"}, 1},
    {"و", {"ou", "w", "w", "w"}, 0},     {"ي", {"y", "y", "y", "y"}, 0},
};

/*
 * Word patterns over a three-consonant root: 1 2 3 the root consonants, D doubles the one
 * before, a and e short vowels (not written in Arabic script), A I U long vowels (alif, ya,
 * waw), M a literal mim, Q a word-initial hamza on alif (Berber "A...").
 */
static const char *const apat[] = {
    "1a2DA3",  /* Haddad, Kattab */
    "1A2e3",   /* Jaber, Salem */
    "1a2I3",   /* Karim, Rachid */
    "Ma12U3",  /* Mansour, Mahjoub */
    "1a2A3",   /* Jamal, Salam */
    "1e23",    /* Sebt(i), Mejr(i) */
    "Me12A3",  /* Mesbah, Meftah */
    "1e2A3",   /* Zeroual */
    "Q1e2DA3", /* Amellal */
    "Q12U3",   /* Amrouch(e) */
};

/* Endings: Latin by variant, then Arabic script. */
struct aend {
    const char *v[4];
    const char *ar;
};

static const struct aend aend[] = {
    {{"", "", "", ""}, ""},
    {{"i", "i", "i", "y"}, "ي"},              /* nisba: Fassi, Masry */
    {{"aoui", "aoui", "awi", "awi"}, "اوي"},  /* Cherkaoui, Sharqawi */
    {{"ani", "ani", "ani", "ani"}, "اني"},    /* Ouazzani */
    {{"ouni", "ouni", "uni", "ouni"}, "وني"}, /* Rahmouni */
    {{"ari", "ari", "ari", "ari"}, "اري"},
    {{"a", "a", "a", "ah"}, "ة"},             /* Berrada */
    {{"ouche", "ouch", "ush", "ouch"}, "وش"}, /* Amrouche */
};

/* Particles before a composed Arabic-origin or Berber surname. */
enum { CP_NONE, CP_ART, CP_BEN, CP_BEL, CP_BOU, CP_OULD, CP_AIT, CP_ABU, CP_ID, CP_OU, CP_ATH,
       CP_COUNT };

static const struct {
    const char *v[4]; /* Latin by variant; a particle ending in a letter is joined */
    const char *ar;
} cpre[CP_COUNT] = {
    [CP_NONE] = {{"", "", "", ""}, ""},
    [CP_ART] = {{"El ", "El", "Al-", "El-"}, "ال"},
    [CP_BEN] = {{"Ben", "Ben ", "Bin ", "Ben "}, "بن"},
    [CP_BEL] = {{"Bel", "Bel", "Bel", "Bel "}, "بل"},
    [CP_BOU] = {{"Bou", "Bou", "Bu", "Abu "}, "بو"},
    [CP_OULD] = {{"Ould ", "Ould ", "Wuld ", "Ould "}, "ولد "},
    [CP_AIT] = {{"Ait ", "Aït ", "Ait ", "Ait-"}, "آيت "},
    [CP_ABU] = {{"Abou ", "Abou ", "Abu ", "Abu "}, "أبو "},
    [CP_ID] = {{"Id", "Id ", "Id", "Id "}, "إد"},
    [CP_OU] = {{"Ou", "Ou ", "U", "Ou"}, "أو"},
    [CP_ATH] = {{"Ath ", "Ath ", "Ath ", "At "}, "آث "},
};

/* Divine names after "Abd" (Abdelhakim, Abderrahim): French stem, English stem, Arabic with
 * the article, and whether the article assimilates (sun letter: "Abde-rr-ahim"). */
static const struct {
    const char *fr, *en, *ar;
    uint8_t sun;
} abd_names[] = {
    {"Rahim", "Rahim", "الرحيم", 1},   {"Hakim", "Hakim", "الحكيم", 0},
    {"Jalil", "Jalil", "الجليل", 0},   {"Ouahab", "Wahhab", "الوهاب", 0},
    {"Samad", "Samad", "الصمد", 1},    {"Nour", "Nur", "النور", 1},
    {"Bari", "Bari", "الباري", 0},     {"Hafid", "Hafiz", "الحفيظ", 0},
    {"Halim", "Halim", "الحليم", 0},   {"Jabbar", "Jabbar", "الجبار", 0},
    {"Kabir", "Kabir", "الكبير", 0},   {"Khalek", "Khaliq", "الخالق", 0},
    {"Malek", "Malik", "المالك", 0},   {"Mounim", "Munim", "المنعم", 0},
    {"Nacer", "Nasser", "الناصر", 1},  {"Raouf", "Rauf", "الرؤوف", 1},
    {"Sattar", "Sattar", "الستار", 1}, {"Ouahed", "Wahid", "الواحد", 0},
    {"Fattah", "Fattah", "الفتاح", 0}, {"Basset", "Basit", "الباسط", 0},
    {"Moumen", "Mumin", "المؤمن", 0},  {"Ali", "Ali", "العلي", 0},
    {"Hadi", "Hadi", "الهادي", 0},     {"Rachid", "Rashid", "الرشيد", 1},
    {"Ghafour", "Ghafur", "الغفور", 0}, {"Kahar", "Qahhar", "القهار", 0},
    {"Ouadoud", "Wadud", "الودود", 0}, {"Mouhsin", "Muhsin", "المحسن", 0},
    {"Tawab", "Tawwab", "التواب", 1},  {"Moutaleb", "Muttalib", "المطلب", 0},
    {"Jaouad", "Jawad", "الجواد", 0},  {"Mouhaimin", "Muhaymin", "المهيمن", 0},
};

/* First parts of "-eddine" names (Kheireddine, Alaeddine). */
static const struct {
    const char *fr, *en, *ar;
} din_names[] = {
    {"Kheir", "Khair", "خير"},  {"Ala", "Ala", "علاء"},     {"Badr", "Badr", "بدر"},
    {"Charaf", "Sharaf", "شرف"}, {"Kamal", "Kamal", "كمال"}, {"Nasr", "Nasr", "نصر"},
    {"Izz", "Izz", "عز"},       {"Seif", "Saif", "سيف"},     {"Fakhr", "Fakhr", "فخر"},
    {"Taj", "Taj", "تاج"},      {"Houssam", "Husam", "حسام"}, {"Chams", "Shams", "شمس"},
    {"Bahaa", "Baha", "بهاء"},   {"Imad", "Imad", "عماد"},   {"Najm", "Najm", "نجم"},
    {"Sadr", "Sadr", "صدر"},     {"Jamal", "Jamal", "جمال"}, {"Zine", "Zain", "زين"},
    {"Hossam", "Hosam", "حسام"}, {"Mohi", "Muhyi", "محيي"},
};

/* European surname morphemes: onset, vowel, middle consonants, optional second syllable,
 * suffix; an optional particle before. */
static const char *const it_on[] = {"B", "Br", "C", "Ca", "Cr", "D", "F", "Fr", "G", "Gr", "Gu",
                                    "L", "M", "N", "P", "Pr", "R", "S", "Sc", "St", "T", "Tr",
                                    "V", "Z", "", "Bo", "Pa", "Ma", "Ro", "Sa"};
static const char *const it_vo[] = {"a", "a", "e", "i", "o", "o", "u"};
static const char *const it_mid[] = {"l", "ll", "n", "nn", "r", "rr", "rt", "rd", "rn", "s", "ss",
                                     "st", "t", "tt", "c", "cc", "g", "gg", "nd", "nt", "mb", "lv",
                                     "mp", "z", "zz", "v", "m", "p", "sc", "rch", "nz", "lb"};
static const char *const it_suf[] = {"i",    "o",     "ini",  "ino",  "elli", "ello", "etti", "etto",
                                     "one",  "oni",   "ucci", "uzzi", "azzi", "ero",  "ese",  "otti",
                                     "acci", "ardi",  "aldi", "ati",  "ato",  "iello", "illo", "asso",
                                     "ari",  "ieri",  "ante", "enti", "otto", "ale",   "a",    "ella"};
static const char *const it_pre[] = {"", "De ", "Di ", "Lo ", "La ", "Del ", "D'", "Della "};
static const unsigned char it_pre_w[] = {80, 5, 6, 2, 2, 2, 2, 1};

static const char *const es_on[] = {"B", "Bl", "C", "Cr", "D", "F", "G", "Gr", "H", "J", "L",
                                    "Ll", "M", "N", "P", "Pr", "R", "S", "T", "V", "Z", "Ch",
                                    "", "Ca", "Sa", "Ma", "Ba", "Pa"};
static const char *const es_vo[] = {"a", "a", "e", "e", "i", "o", "o", "u"};
static const char *const es_mid[] = {"l", "ll", "n", "r", "rr", "rd", "rt", "rm", "s", "st", "nd",
                                     "nt", "nc", "ñ", "z", "c", "b", "d", "t", "g", "v", "m",
                                     "j", "lv", "rg", "sc", "rb", "lm"};
/* '*' before a suffix: the root's last vowel takes the accent (Méndez, Benítez). */
static const char *const es_suf[] = {"*ez", "*ez", "*ez", "es",  "edo", "ero", "ales", "illa",
                                     "ado", "ano", "era", "oso", "uelo", "eda", "ete", "ón",
                                     "ín",  "aga", "eta", "ejo", "ares", "ada", "al",  "ar",
                                     "*ez", "iz",  "os",  "a",   "o",    "ena", "ino", "uela"};
static const char *const es_pre[] = {"", "de la ", "del ", "de "};
static const unsigned char es_pre_w[] = {90, 4, 4, 2};

static const char *const fr_on[] = {"B", "Bl", "Br", "C", "Ch", "Cl", "D", "F", "G", "Gr", "Gu",
                                    "J", "L", "M", "N", "P", "Pl", "R", "S", "T", "V", "",
                                    "Bo", "Ma", "Ri", "Fa", "Tr", "Cr"};
static const char *const fr_vo[] = {"a", "a", "e", "i", "o", "ou", "au", "ai"};
static const char *const fr_mid[] = {"l", "ll", "n", "r", "rr", "rd", "rn", "s", "ss", "t", "c",
                                     "g", "v", "m", "nd", "rm", "rt", "rch", "ch", "gn", "mb",
                                     "ss", "nc", "lb", "rg", "st"};
static const char *const fr_suf[] = {"ier", "ard",  "et",  "ot",  "eau", "aud", "in", "oux",
                                     "on",  "ou",   "ault", "el", "eux", "ey",  "ois", "ais",
                                     "ange", "ette", "elle", "at", "y",   "ac",  "as", "eur",
                                     "ier", "ard",  "et",  "in",  "ot",  "and", "ent", "ert"};
static const char *const fr_pre[] = {"", "Le ", "Du ", "De la ", "La ", "Des "};
static const unsigned char fr_pre_w[] = {84, 6, 5, 2, 2, 1};
// clang-format on

/* ---------------------------------------------------------------------------------------------
 * Random streams.
 */

enum { STREAM_ALERT = 0xa1e7, STREAM_QUERY = 0x9e41, STREAM_NEG = 0x7e6a, STREAM_TARGET = 0x7a46 };

struct rng {
    uint64_t s;
};

static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
    r->s = mix64(mix64(seed ^ (stream * 0xd1342543de82ef95ull)) + index);
}

static uint64_t rng_next(struct rng *r)
{
    r->s += 0x9e3779b97f4a7c15ull;
    return mix64(r->s);
}

/* Uniform in [0, n), n > 0 and below 2^32. */
static unsigned rng_below(struct rng *r, unsigned n)
{
    return (unsigned)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* True with probability pct percent. */
static int rng_pct(struct rng *r, unsigned pct)
{
    return rng_below(r, 100) < pct;
}

/* Index drawn from a weight table (weights summing to anything). */
static unsigned rng_weighted(struct rng *r, const unsigned char *w, unsigned n)
{
    unsigned total = 0;
    for (unsigned i = 0; i < n; i++)
        total += w[i];
    unsigned u = rng_below(r, total);
    for (unsigned i = 0; i < n; i++) {
        if (u < w[i])
            return i;
        u -= w[i];
    }
    return n - 1;
}

/* ---------------------------------------------------------------------------------------------
 * Frequency lists.
 */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum list_id {
    L_AR_M_MAG,
    L_AR_F_MAG,
    L_AR_M_EAS,
    L_AR_F_EAS,
    L_ARS_MAG,
    L_ARS_EAS,
    L_BER_M,
    L_BER_F,
    L_BERS,
    L_IT_M,
    L_IT_F,
    L_IT_S,
    L_ES_M,
    L_ES_F,
    L_ES_S,
    L_FR_M,
    L_FR_F,
    L_FR_S,
    L_ES_M2,
    L_ES_F2,
    L_COUNT
};

_Static_assert(L_COUNT == POP_NLISTS, "POP_NLISTS must match the list ids");

/*
 * Gives ranks 0..n-1 Zipf-Mandelbrot weights 1/(r+1+q)^s, cumulated and
 * scaled to 2^31. Given names use q = 0, a steep head (Mohamed, Giuseppe,
 * José); surnames a flatter head (q > 0), as no surname is anywhere near as
 * frequent as the top given names.
 */
static void list_finish(struct pop_list *l, double s, double q)
{
    double w[POP_LIST_MAX], total = 0;
    for (unsigned r = 0; r < l->n; r++) {
        w[r] = 1.0 / pow((double)(r + 1) + q, s);
        total += w[r];
    }
    double acc = 0;
    uint32_t prev = 0;
    for (unsigned r = 0; r < l->n; r++) {
        acc += w[r];
        uint32_t c = (uint32_t)(acc / total * 2147483648.0);
        if (c <= prev)
            c = prev + 1;
        l->cum[r] = c;
        prev = c;
    }
    if (l->n)
        l->cum[l->n - 1] = 2147483648u;
}

static void list_arabic(struct pop_list *l, const struct aname *t, size_t n, unsigned need,
                        double s, double q)
{
    l->n = 0;
    for (size_t i = 0; i < n && l->n < POP_LIST_MAX; i++)
        if ((t[i].flags & need) == need)
            l->idx[l->n++] = (uint16_t)i;
    list_finish(l, s, q);
}

static void list_plain(struct pop_list *l, size_t n, double s, double q)
{
    l->n = 0;
    for (size_t i = 0; i < n && l->n < POP_LIST_MAX; i++)
        l->idx[l->n++] = (uint16_t)i;
    list_finish(l, s, q);
}

void pop_init(struct pop *p, uint64_t seed)
{
    memset(p, 0, sizeof *p);
    p->seed = seed;
    struct pop_list *L = p->lists;
    list_arabic(&L[L_AR_M_MAG], ar_given, NELEM(ar_given), G_M | R_MAG, 1.05, 0);
    list_arabic(&L[L_AR_F_MAG], ar_given, NELEM(ar_given), G_F | R_MAG, 0.95, 0);
    list_arabic(&L[L_AR_M_EAS], ar_given, NELEM(ar_given), G_M | R_EAS, 1.0, 0);
    list_arabic(&L[L_AR_F_EAS], ar_given, NELEM(ar_given), G_F | R_EAS, 0.9, 0);
    list_arabic(&L[L_ARS_MAG], ar_sur, NELEM(ar_sur), R_MAG, 0.7, 1.5);
    list_arabic(&L[L_ARS_EAS], ar_sur, NELEM(ar_sur), R_EAS, 0.7, 1.5);
    list_arabic(&L[L_BER_M], ber_given, NELEM(ber_given), G_M, 0.8, 0);
    list_arabic(&L[L_BER_F], ber_given, NELEM(ber_given), G_F, 0.8, 0);
    list_arabic(&L[L_BERS], ber_sur, NELEM(ber_sur), 0, 0.7, 1.5);
    list_plain(&L[L_IT_M], NELEM(it_m), 0.95, 0);
    list_plain(&L[L_IT_F], NELEM(it_f), 0.95, 0);
    list_plain(&L[L_IT_S], NELEM(it_s), 0.7, 1.5);
    list_plain(&L[L_ES_M], NELEM(es_m), 0.95, 0);
    list_plain(&L[L_ES_F], NELEM(es_f), 0.95, 0);
    list_plain(&L[L_ES_S], NELEM(es_s), 0.7, 1.5);
    list_plain(&L[L_FR_M], NELEM(fr_m), 0.9, 0);
    list_plain(&L[L_FR_F], NELEM(fr_f), 0.9, 0);
    list_plain(&L[L_FR_S], NELEM(fr_s), 0.7, 1.5);
    list_plain(&L[L_ES_M2], NELEM(es_m2), 1.0, 0);
    list_plain(&L[L_ES_F2], NELEM(es_f2), 1.0, 0);
}

/* A table index drawn from list `id` (binary search of the cumulative weights). */
static unsigned list_draw(const struct pop *p, int id, struct rng *r)
{
    const struct pop_list *l = &p->lists[id];
    uint32_t u = (uint32_t)(rng_next(r) >> 33);
    unsigned lo = 0, hi = l->n - 1u;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (l->cum[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return l->idx[lo];
}

/* ---------------------------------------------------------------------------------------------
 * Names as tokens.
 */

enum { PRE_NONE, PRE_BEN, PRE_OULD, PRE_ABU };
enum { CONV_FR, CONV_EN };

struct tok {
    const struct aname *a; /* Arabic-origin or Berber entry, or NULL */
    const char *lit;       /* European name when a == NULL */
    uint8_t var;           /* spelling: index into a->v */
    uint8_t pre;           /* PRE_*: "Ben Youssef", "Ould Ahmed", "Abou Yassine" */
    uint8_t joined;        /* "Benyoussef" rather than "Ben Youssef" */
    uint8_t sur;           /* part of the surname */
    uint8_t fam;           /* FAM_* of a composed name (a == NULL, lit == NULL), else FAM_NONE */
    uint32_t tail;         /* composed name: its tail index */
};

#define MAXTOK 6

struct name {
    uint8_t n;
    uint8_t arabic;    /* written in Arabic script */
    uint8_t sur_first; /* "BENALI Youssef" */
    uint8_t upper_sur; /* surname in capitals */
    struct tok t[MAXTOK];
};

enum { DOB_FULL, DOB_YEAR, DOB_NONE };
enum { ALIAS_NONE, ALIAS_TRANSLIT, ALIAS_SCRIPT, ALIAS_KUNYA, ALIAS_MAIDEN, ALIAS_SHORT };

struct gp {
    int culture;
    char gender;
    int conv;
    struct name name;
    struct name alias;
    int alias_kind;
    int dob_kind, y, m, d;
    char nat[3];
    char passport[16];
};

static unsigned nvariants(const struct aname *a)
{
    unsigned n = 0;
    while (n < NELEM(a->v) && a->v[n])
        n++;
    return n;
}

/* One of nv spellings, nfr of them French convention: mostly the first one of the convention. */
static uint8_t pick_var_n(unsigned nv, unsigned nfr, int conv, struct rng *r)
{
    unsigned lo = 0, hi = nfr;
    if (conv == CONV_EN && nv > nfr) {
        lo = nfr;
        hi = nv;
    }
    if (hi > nv)
        hi = nv;
    if (hi <= lo + 1 || rng_pct(r, 70))
        return (uint8_t)lo;
    return (uint8_t)(lo + rng_below(r, hi - lo));
}

/* A spelling of `a` in convention `conv`. */
static uint8_t pick_var(const struct aname *a, int conv, struct rng *r)
{
    return pick_var_n(nvariants(a), a->nfr, conv, r);
}

static void name_add_ar(struct name *nm, const struct aname *a, int conv, int sur, struct rng *r)
{
    if (nm->n >= MAXTOK)
        return;
    struct tok *t = &nm->t[nm->n++];
    memset(t, 0, sizeof *t);
    t->a = a;
    t->var = pick_var(a, conv, r);
    t->sur = (uint8_t)sur;
}

static void name_add_lit(struct name *nm, const char *s, int sur)
{
    if (nm->n >= MAXTOK)
        return;
    struct tok *t = &nm->t[nm->n++];
    memset(t, 0, sizeof *t);
    t->lit = s;
    t->sur = (uint8_t)sur;
}

/* Appends s to buf (cap bytes, NUL-terminated) at *len; returns 0 when it does not fit. */
static int put(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
    if (*len + n + 1 > cap)
        return 0;
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = '\0';
    return 1;
}

static int puts0(char *buf, size_t cap, size_t *len, const char *s)
{
    return put(buf, cap, len, s, strlen(s));
}

/* ---------------------------------------------------------------------------------------------
 * Composed names: the long tail.
 *
 * A composed name is a pure function of (family, tail index). The index is hashed and the
 * hash is read as a number in mixed radix whose digits pick the morphemes: particle, root
 * or stem, pattern, suffix. Tail indices follow a Zipf-Mandelbrot law over 1..2,000,000, so
 * that distinct names keep appearing as the population grows (Heaps' law) while no composed
 * name is anywhere near as frequent as the head of the tables.
 *
 * Arabic-origin names are built on three-consonant roots set in word patterns, e.g. root
 * k-t-b in pattern 1a2DA3 with the article and the nisba ending:
 *
 *     El + Kattab + i = "El Kattabi"      ال + كتاب + ي = "الكتابي"
 *
 * Every consonant, long vowel, particle and ending is a pair (Latin spellings, Arabic
 * letters), so each composed name has an Arabic-script form and four Latin variants
 * (French convention main and other, English convention main and other), as the hand
 * tables give for whole names.
 */

enum { FAM_NONE, FAM_MAG, FAM_EAS, FAM_BER, FAM_AGIV_M, FAM_AGIV_F, FAM_IT, FAM_ES, FAM_FR };

#define TAIL_SUR_N   2000000.0 /* surname tail indices 1..N */
#define TAIL_SUR_Q   40.0      /* Zipf-Mandelbrot offset: flattens the top of the tail */
#define TAIL_GIV_N   100000.0
#define TAIL_GIV_Q   8.0
#define TAIL_GIV_PCT 12 /* percent of given names taken from the tail */

/* Percent of surnames composed, by culture: about half, as in real lists beyond the top 150. */
static const unsigned char sur_tail_pct[POP_CULTURES] = {50, 50, 55, 60, 55, 50, 55};

static int fam_arabic(int fam)
{
    return fam >= FAM_MAG && fam <= FAM_AGIV_F;
}

/* A tail index in [1, n]: the continuous Zipf-Mandelbrot law 1/(k+q), inverted. */
static uint32_t tail_draw(struct rng *r, double n, double q)
{
    double u = (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
    double x = (1.0 + q) * exp(u * log((n + q) / (1.0 + q))) - q;
    if (x < 1)
        x = 1;
    if (x > n)
        x = n;
    return (uint32_t)x;
}

/* The next digit in base n of the hash *h. */
static unsigned dig(uint64_t *h, unsigned n)
{
    unsigned d = (unsigned)(*h % n);
    *h /= n;
    return d;
}

/* A digit drawn with weights w[0..n). */
static unsigned dig_w(uint64_t *h, const unsigned char *w, unsigned n)
{
    unsigned total = 0;
    for (unsigned i = 0; i < n; i++)
        total += w[i];
    unsigned u = dig(h, total);
    for (unsigned i = 0; i < n; i++) {
        if (u < w[i])
            return i;
        u -= w[i];
    }
    return n - 1;
}

/* A decoded Arabic-origin composed name. */
struct acomp {
    uint8_t kind; /* AK_* */
    uint8_t pre, pat, end;
    uint8_t c[3];
    uint8_t stem; /* index into ar_given (AK_GIVEN), abd_names or din_names */
};

enum { AK_ROOT, AK_GIVEN, AK_ABD, AK_DIN };

#define NPAT NELEM(apat)
#define NEND NELEM(aend)

/* Weights of particles, patterns and endings for the surname families. */
static const struct {
    unsigned char pre[CP_COUNT];
    unsigned char pat[NPAT];
    unsigned char end[NEND];
    unsigned char given; /* percent of particle names on a given name (Ben Youssef, Ait Ahmed) */
} afam_w[3] = {
    /* FAM_MAG */
    {{34, 24, 12, 4, 12, 3, 3, 0, 0, 0, 0},
     {18, 16, 14, 10, 12, 18, 6, 6, 0, 0},
     {24, 40, 12, 10, 7, 3, 4, 0},
     25},
    /* FAM_EAS */
    {{52, 38, 0, 0, 0, 0, 0, 10, 0, 0, 0},
     {20, 18, 16, 10, 12, 14, 6, 4, 0, 0},
     {40, 40, 10, 10, 0, 0, 0, 0},
     20},
    /* FAM_BER */
    {{30, 0, 0, 0, 0, 0, 34, 0, 12, 18, 6},
     {10, 10, 10, 6, 8, 10, 4, 6, 18, 18},
     {58, 20, 0, 4, 0, 0, 6, 12},
     45},
};

/* Index of the consonant waw (written "ou" or "w") and ya in acons. */
#define AC_W 20
#define AC_Y 21

/* Two root consonants without a vowel between them read well when the first can close a
 * syllable (Mesbah, Mansour, Sebti) or the second is a liquid or nasal (Mejri). */
static int cluster_ok(unsigned a, unsigned b)
{
    static const char coda[] = "bhrzsflmnk";
    const char *la = acons[a].v[0], *lb = acons[b].v[0];
    if (lb[1] && lb[0] != 'o')
        return 0; /* kh, gh, ch second: hard to read */
    return strchr("rlmn", lb[0]) != NULL || (!la[1] && strchr(coda, la[0]) != NULL);
}

/* A root fits its pattern: no letter twice in a row, no two gutturals side by side, waw and
 * ya only first (they would make vowel clusters elsewhere), readable consonant clusters. */
static int root_ok(const uint8_t c[3], const char *pat)
{
    for (int i = 0; i < 2; i++) {
        if (strcmp(acons[c[i]].v[0], acons[c[i + 1]].v[0]) == 0)
            return 0;
        if (acons[c[i]].gut && acons[c[i + 1]].gut)
            return 0;
    }
    for (const char *p = pat; p[0] && p[1]; p++)
        if (p[0] >= '1' && p[0] <= '3' && p[1] >= '1' && p[1] <= '3' &&
            !cluster_ok(c[p[0] - '1'], c[p[1] - '1']))
            return 0;
    return c[1] < AC_W && c[2] < AC_W;
}

/* A male given name of one word, usable as a stem ("Ait Ahmed", "Benyoussef"). */
static int given_stem_ok(unsigned i)
{
    const struct aname *a = &ar_given[i];
    return (a->flags & G_M) && !strchr(a->ar, ' ') && !strchr(a->v[0], ' ') &&
           !strchr(a->v[a->nfr < nvariants(a) ? a->nfr : 0], ' ');
}

static void acomp_decode(int fam, uint32_t tail, struct acomp *ac)
{
    uint64_t h = mix64(((uint64_t)fam << 40) ^ tail);
    memset(ac, 0, sizeof *ac);
    if (fam == FAM_AGIV_M || fam == FAM_AGIV_F) {
        static const unsigned char pat_w[NPAT] = {10, 30, 30, 15, 15, 0, 0, 0, 0, 0};
        unsigned k = dig(&h, 100);
        if (fam == FAM_AGIV_M && k < 30) {
            ac->kind = AK_ABD;
            ac->stem = (uint8_t)dig(&h, NELEM(abd_names));
            return;
        }
        if (fam == FAM_AGIV_M && k < 45) {
            ac->kind = AK_DIN;
            ac->stem = (uint8_t)dig(&h, NELEM(din_names));
            return;
        }
        ac->kind = AK_ROOT;
        ac->pat = (uint8_t)dig_w(&h, pat_w, NPAT);
        ac->end = fam == FAM_AGIV_F ? 6 : 0;
    } else {
        int f = fam - FAM_MAG;
        ac->kind = AK_ROOT;
        ac->pre = (uint8_t)dig_w(&h, afam_w[f].pre, CP_COUNT);
        ac->pat = (uint8_t)dig_w(&h, afam_w[f].pat, NPAT);
        ac->end = (uint8_t)dig_w(&h, afam_w[f].end, NEND);
        if (ac->pre > CP_ART && dig(&h, 100) < afam_w[f].given) {
            unsigned g = dig(&h, 90);
            if (given_stem_ok(g)) {
                ac->kind = AK_GIVEN;
                ac->stem = (uint8_t)g;
                ac->end = 0;
                return;
            }
        }
    }
    for (int salt = 0; salt < 16; salt++) {
        for (int i = 0; i < 3; i++)
            ac->c[i] = (uint8_t)dig(&h, NELEM(acons));
        if (root_ok(ac->c, apat[ac->pat]))
            return;
        h = mix64(h + (uint64_t)salt);
    }
}

static int is_vowel_ascii(int c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

/* The Latin stem of a root in its pattern, lower case, in variant var. */
static void apat_latin(const struct acomp *ac, unsigned var, char *buf, size_t cap, size_t *len)
{
    const char *p = apat[ac->pat];
    const char *prev = NULL;
    size_t start = *len;
    for (; *p; p++) {
        const char *s = NULL;
        switch (*p) {
        case '1':
        case '2':
        case '3': {
            s = acons[ac->c[*p - '1']].v[var];
            prev = s;
            /* French writes a single s between vowels "ss" (Hassani). */
            int next_vowel = p[1] ? strchr("aeAIU", p[1]) != NULL : aend[ac->end].v[var][0] != 0;
            if (var == 0 && strcmp(s, "s") == 0 && *len > start && is_vowel_ascii(buf[*len - 1]) &&
                next_vowel)
                s = "ss";
            break;
        }
        case 'D':
            s = prev && strlen(prev) == 1 ? prev : NULL;
            break;
        case 'a':
        case 'A':
        case 'Q':
            s = "a";
            break;
        case 'e':
            s = var == 1 || var == 2 ? "i" : "e";
            break;
        case 'I':
            s = var == 3 ? "ee" : "i";
            break;
        case 'U':
            s = var == 1 || var == 2 ? "u" : "ou";
            break;
        case 'M':
            s = "m";
            break;
        default:
            break;
        }
        if (s)
            puts0(buf, cap, len, s);
    }
}

static void apat_arabic(const struct acomp *ac, char *buf, size_t cap, size_t *len)
{
    for (const char *p = apat[ac->pat]; *p; p++) {
        const char *s = NULL;
        switch (*p) {
        case '1':
        case '2':
        case '3':
            s = acons[ac->c[*p - '1']].ar;
            break;
        case 'A':
            s = "ا";
            break;
        case 'I':
            s = "ي";
            break;
        case 'U':
            s = "و";
            break;
        case 'M':
            s = "م";
            break;
        case 'Q':
            s = "أ";
            break;
        default:
            break;
        }
        if (s)
            puts0(buf, cap, len, s);
    }
}

static char lower_ascii(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static char upper_ascii(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
}

static void acomp_render(const struct acomp *ac, unsigned var, int arabic, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    if (var > 3)
        var = 0;
    if (ac->kind == AK_ABD) {
        const char *fr = abd_names[ac->stem].fr, *en = abd_names[ac->stem].en;
        if (arabic) {
            puts0(buf, cap, &len, "عبد ");
            puts0(buf, cap, &len, abd_names[ac->stem].ar);
        } else if (var == 0) {
            /* Abdelhakim; before a sun letter the article assimilates: Abderrahim. */
            char c = lower_ascii(fr[0]);
            puts0(buf, cap, &len, abd_names[ac->stem].sun ? "Abde" : "Abdel");
            if (abd_names[ac->stem].sun)
                put(buf, cap, &len, &c, 1);
            put(buf, cap, &len, &c, 1);
            puts0(buf, cap, &len, fr + 1);
        } else {
            puts0(buf, cap, &len, var == 1 ? "Abdel " : var == 2 ? "Abdul " : "Abd al-");
            puts0(buf, cap, &len, var == 1 ? fr : en);
        }
        return;
    }
    if (ac->kind == AK_DIN) {
        if (arabic) {
            puts0(buf, cap, &len, din_names[ac->stem].ar);
            puts0(buf, cap, &len, " الدين");
            return;
        }
        puts0(buf, cap, &len, var < 2 ? din_names[ac->stem].fr : din_names[ac->stem].en);
        static const char *const din[4] = {"eddine", " Eddine", " al-Din", "uddin"};
        puts0(buf, cap, &len, din[var]);
        return;
    }
    if (arabic) {
        puts0(buf, cap, &len, cpre[ac->pre].ar);
        if (ac->kind == AK_GIVEN)
            puts0(buf, cap, &len, ar_given[ac->stem].ar);
        else
            apat_arabic(ac, buf, cap, &len);
        puts0(buf, cap, &len, aend[ac->end].ar);
        return;
    }
    const char *pre = cpre[ac->pre].v[var];
    puts0(buf, cap, &len, pre);
    size_t stem = len;
    if (ac->kind == AK_GIVEN) {
        const struct aname *a = &ar_given[ac->stem];
        unsigned nv = nvariants(a);
        puts0(buf, cap, &len, a->v[var >= 2 && a->nfr < nv ? a->nfr : var == 1 && nv > 1 ? 1 : 0]);
    } else {
        apat_latin(ac, var, buf, cap, &len);
        puts0(buf, cap, &len, aend[ac->end].v[var]);
    }
    if (stem < len) {
        int joined = stem > 0 && pre[stem - 1] != ' ' && pre[stem - 1] != '-';
        buf[stem] = joined ? lower_ascii(buf[stem]) : upper_ascii(buf[stem]);
    }
}

/* European surname morphemes of one language. */
struct eulang {
    const char *const *on, *const *vo, *const *mid, *const *suf, *const *pre;
    unsigned non, nvo, nmid, nsuf, npre;
    const unsigned char *pre_w;
    const char *const *fem; /* suffixes after a feminine article (La Rosa, de la Vega) */
};

static const char *const it_fem[] = {"a", "ella", "etta", "ina"};
static const char *const es_fem[] = {"a", "era", "eda", "illa"};
static const char *const fr_fem[] = {"ette", "elle", "ière", "ande"};

#define EULANG(p)                                                                                  \
    {                                                                                              \
        p##_on, p##_vo, p##_mid, p##_suf, p##_pre, NELEM(p##_on), NELEM(p##_vo), NELEM(p##_mid),   \
            NELEM(p##_suf), NELEM(p##_pre), p##_pre_w, p##_fem                                     \
    }

static const struct eulang eulang[3] = {EULANG(it), EULANG(es), EULANG(fr)};

/* The root's last vowel with an acute accent (Spanish -ez surnames: Mendez -> Méndez). */
static void accent_last_vowel(char *buf, size_t cap, size_t from, size_t *len)
{
    static const char plain[] = "aeiou";
    static const char *const acute[] = {"á", "é", "í", "ó", "ú"};
    for (size_t i = *len; i-- > from;) {
        const char *v = strchr(plain, buf[i]);
        if (!v || !buf[i] || *len + 2 > cap)
            continue;
        memmove(buf + i + 2, buf + i + 1, *len - i);
        memcpy(buf + i, acute[v - plain], 2);
        (*len)++;
        return;
    }
}

static void eu_render(int fam, uint32_t tail, char *buf, size_t cap)
{
    const struct eulang *L = &eulang[fam - FAM_IT];
    uint64_t h = mix64(((uint64_t)fam << 40) ^ tail);
    size_t len = 0;
    buf[0] = '\0';
    unsigned pre = dig_w(&h, L->pre_w, L->npre);
    const char *on = L->on[dig(&h, L->non)];
    const char *ps = L->pre[pre];
    /* Italian D' goes before a vowel only. */
    if (ps[0] && ps[strlen(ps) - 1] == '\'' && on[0])
        ps = "Di ";
    puts0(buf, cap, &len, ps);
    size_t stem = len;
    puts0(buf, cap, &len, on);
    if (!on[0] || !is_vowel_ascii(lower_ascii(on[strlen(on) - 1])))
        puts0(buf, cap, &len, L->vo[dig(&h, L->nvo)]);
    /* No second liquid right after an onset cluster with one (Brurn-, Gral-). */
    const char *mid = L->mid[dig(&h, L->nmid)];
    if (strlen(on) >= 2 && strchr("rl", on[1]) && strchr("rl", mid[0]))
        mid = L->mid[dig(&h, L->nmid)];
    if (strlen(on) >= 2 && strchr("rl", on[1]) && strchr("rl", mid[0]))
        mid = "t";
    puts0(buf, cap, &len, mid);
    if (dig(&h, 100) < 35) {
        puts0(buf, cap, &len, L->vo[dig(&h, L->nvo)]);
        puts0(buf, cap, &len, L->mid[dig(&h, L->nmid)]);
    }
    size_t pl = strlen(ps);
    const char *suf =
        pl >= 3 && strcmp(ps + pl - 3, "la ") == 0 ? L->fem[dig(&h, 4)] : L->suf[dig(&h, L->nsuf)];
    if (suf[0] == '*') {
        accent_last_vowel(buf, cap, stem, &len);
        suf++;
    }
    puts0(buf, cap, &len, suf);
    buf[stem] = upper_ascii(buf[stem]);
}

/* Writes the composed name (fam, tail) in Latin variant var, or in Arabic script. */
static void comp_render(int fam, uint32_t tail, unsigned var, int arabic, char *buf, size_t cap)
{
    if (fam_arabic(fam)) {
        struct acomp ac;
        acomp_decode(fam, tail, &ac);
        acomp_render(&ac, var, arabic, buf, cap);
    } else {
        eu_render(fam, tail, buf, cap);
    }
}

/* What a token can do, whether it comes from a table or is composed. */
static int tok_arabic_origin(const struct tok *t)
{
    return t->a != NULL || fam_arabic(t->fam);
}

static int tok_has_ar(const struct tok *t)
{
    return (t->a && t->a->ar) || fam_arabic(t->fam);
}

static unsigned tok_nvar(const struct tok *t)
{
    return t->a ? nvariants(t->a) : fam_arabic(t->fam) ? 4u : 1u;
}

static uint8_t tok_pick_var(const struct tok *t, int conv, struct rng *r)
{
    if (t->a)
        return pick_var(t->a, conv, r);
    if (!fam_arabic(t->fam))
        return 0;
    return pick_var_n(4, 2, conv, r);
}

/* Capitals in place: ASCII and the Latin-1 letters (UTF-8 C3 A0..BE). */
static void upper_utf8(char *s)
{
    for (unsigned char *p = (unsigned char *)s; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            *p = (unsigned char)(*p - 32);
        else if (*p == 0xc3 && p[1] >= 0xa0 && p[1] <= 0xbe && p[1] != 0xb7) {
            p[1] = (unsigned char)(p[1] - 0x20);
            p++;
        }
    }
}

static int is_upper_ascii(int c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_lower_ascii(int c)
{
    return c >= 'a' && c <= 'z';
}

/* Writes token t into buf: Latin (in t's spelling) or Arabic script. */
static void tok_render(const struct tok *t, int arabic, int upper, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    if (t->fam) {
        comp_render(t->fam, t->tail, t->var, arabic && fam_arabic(t->fam), buf, cap);
    } else if (!t->a) {
        puts0(buf, cap, &len, t->lit);
    } else if (arabic && t->a->ar) {
        static const char *const pre_ar[] = {"", "بن ", "ولد ", "أبو "};
        puts0(buf, cap, &len, pre_ar[t->pre]);
        puts0(buf, cap, &len, t->a->ar);
    } else {
        const char *v = t->a->v[t->var];
        int fr = t->var < t->a->nfr;
        if (t->pre == PRE_BEN && t->joined && v[0]) {
            char c = v[0];
            puts0(buf, cap, &len, "Ben");
            if (is_upper_ascii(c))
                c = (char)(c + 32);
            put(buf, cap, &len, &c, 1);
            puts0(buf, cap, &len, v + 1);
        } else {
            static const char *const pre_fr[] = {"", "Ben ", "Ould ", "Abou "};
            static const char *const pre_en[] = {"", "Bin ", "Ould ", "Abu "};
            puts0(buf, cap, &len, (fr ? pre_fr : pre_en)[t->pre]);
            puts0(buf, cap, &len, v);
        }
    }
    if (upper)
        upper_utf8(buf);
}

/* Rendered token: the token, its text, and whether the text was edited by hand. */
#define TOKCAP 96
struct rtok {
    struct tok t;
    uint8_t arabic, upper;
    uint8_t dirty;   /* the text was edited and no longer follows from t */
    uint8_t touched; /* a perturbation changed this token already */
    char s[TOKCAP];
};

struct rname {
    int n;
    struct rtok r[MAXTOK + 1];
};

static void rname_from(struct rname *rn, const struct name *nm)
{
    rn->n = 0;
    /* Arabic script keeps the given-name-first order of the Arabic original. */
    int sur_first = nm->sur_first && !nm->arabic;
    for (int pass = 0; pass < 2; pass++) {
        int want_sur = sur_first ? pass == 0 : pass == 1;
        for (int i = 0; i < nm->n; i++) {
            if ((nm->t[i].sur != 0) != want_sur)
                continue;
            struct rtok *r = &rn->r[rn->n++];
            r->t = nm->t[i];
            r->arabic = (uint8_t)(nm->arabic && tok_has_ar(&nm->t[i]));
            r->upper = (uint8_t)(nm->upper_sur && nm->t[i].sur && !r->arabic);
            r->dirty = 0;
            r->touched = 0;
            tok_render(&r->t, r->arabic, r->upper, r->s, sizeof r->s);
        }
    }
}

/* Joins the tokens with spaces into out (cap bytes); tokens that do not fit are left out. */
static void rname_join(const struct rname *rn, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < rn->n; i++) {
        if (!rn->r[i].s[0])
            continue;
        size_t save = len;
        if (len && !put(out, cap, &len, " ", 1))
            break;
        if (!puts0(out, cap, &len, rn->r[i].s)) {
            len = save;
            out[len] = '\0';
        }
    }
}

static void name_write(const struct name *nm, char *out, size_t cap)
{
    struct rname rn;
    rname_from(&rn, nm);
    rname_join(&rn, out, cap);
}

/* All tokens have an Arabic-script form. */
static int name_has_arabic(const struct name *nm)
{
    for (int i = 0; i < nm->n; i++)
        if (!tok_has_ar(&nm->t[i]))
            return 0;
    return nm->n > 0;
}

/* ---------------------------------------------------------------------------------------------
 * Dates, nationalities, passports.
 */

struct natw {
    const char *cc;
    unsigned char w;
};

static const struct natw nat_mag[] = {{"ma", 45}, {"dz", 25}, {"tn", 12}, {"fr", 7}, {"be", 3},
                                      {"es", 2},  {"it", 2},  {"nl", 2},  {"", 2}};
static const struct natw nat_arscript[] = {{"ma", 55}, {"dz", 20}, {"tn", 10},
                                           {"mr", 5},  {"ly", 5},  {"", 5}};
static const struct natw nat_ber[] = {{"ma", 50}, {"dz", 35}, {"fr", 8},
                                      {"be", 3},  {"nl", 2},  {"", 2}};
static const struct natw nat_eas[] = {{"eg", 35}, {"sy", 20}, {"lb", 15}, {"iq", 12},
                                      {"jo", 10}, {"ps", 6},  {"", 2}};
static const struct natw nat_it[] = {{"it", 95}, {"ch", 2}, {"", 3}};
static const struct natw nat_es[] = {{"es", 85}, {"ar", 4}, {"co", 4}, {"mx", 3}, {"", 4}};
static const struct natw nat_fr[] = {{"fr", 88}, {"be", 5}, {"ch", 4}, {"", 3}};

static const char *draw_nat(int culture, struct rng *r)
{
    static const struct {
        const struct natw *t;
        unsigned n;
    } by[POP_CULTURES] = {
        {nat_mag, NELEM(nat_mag)}, {nat_arscript, NELEM(nat_arscript)},
        {nat_ber, NELEM(nat_ber)}, {nat_eas, NELEM(nat_eas)},
        {nat_it, NELEM(nat_it)},   {nat_es, NELEM(nat_es)},
        {nat_fr, NELEM(nat_fr)},
    };
    unsigned char w[16];
    unsigned n = by[culture].n;
    for (unsigned i = 0; i < n; i++)
        w[i] = by[culture].t[i].w;
    return by[culture].t[rng_weighted(r, w, n)].cc;
}

/*
 * A document number in a format plausible for the issuing country; `fmt`
 * letters: A = capital letter, 9 = digit, X = letter or digit, other
 * characters are copied.
 */
static void passport_fill(char *out, const char *fmt, struct rng *r)
{
    static const char alpha[] = "ABCDEFGHJKLMNPRSTUVWXYZ";
    static const char alnum[] = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    size_t i = 0;
    for (; fmt[i] && i < 15; i++) {
        char c = fmt[i];
        if (c == 'A')
            out[i] = alpha[rng_below(r, sizeof alpha - 1)];
        else if (c == '9')
            out[i] = (char)('0' + rng_below(r, 10));
        else if (c == 'X')
            out[i] = alnum[rng_below(r, sizeof alnum - 1)];
        else
            out[i] = c;
    }
    out[i] = '\0';
}

static const char *passport_format(const char *cc)
{
    static const struct {
        const char *cc, *fmt;
    } f[] = {
        {"ma", "AA9999999"}, {"dz", "999999999"}, {"tn", "A999999"},   {"eg", "A99999999"},
        {"lb", "LR9999999"}, {"sy", "N99999999"}, {"jo", "A9999999"},  {"iq", "A99999999"},
        {"ps", "9999999"},   {"it", "AA9999999"}, {"es", "AAA999999"}, {"fr", "99AA99999"},
        {"be", "AA999999"},  {"nl", "AAXXXXXX9"}, {"ch", "A9999999"},  {"ar", "AAA999999A"},
        {"co", "AA999999"},  {"mx", "A99999999"}, {"mr", "B9999999"},  {"ly", "99999999"},
    };
    for (size_t i = 0; i < NELEM(f); i++)
        if (strcmp(f[i].cc, cc) == 0)
            return f[i].fmt;
    return "AA9999999";
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

/* Years 1940..2008, most between 1965 and 2000 (alerts are mostly about adults). */
static int draw_year(struct rng *r)
{
    if (rng_pct(r, 15))
        return 1940 + (int)rng_below(r, 69);
    int s = (int)rng_below(r, 24) + (int)rng_below(r, 24) + (int)rng_below(r, 24);
    int y = 1950 + s; /* 1950..2019, peak near 1984 */
    if (y > 2008)
        y = 1960 + (int)rng_below(r, 49);
    return y;
}

/* ---------------------------------------------------------------------------------------------
 * People.
 */

static const unsigned char culture_w[POP_CULTURES] = {30, 10, 5, 15, 13, 14, 13};

static int other_draw(const struct pop *p, int list, unsigned not, struct rng *r)
{
    for (int tries = 0; tries < 8; tries++) {
        unsigned k = list_draw(p, list, r);
        if (k != not )
            return (int)k;
    }
    return -1;
}

/* A surname of Arabic origin or Berber: composed for the culture's tail share, else from the
 * table tab through frequency list `list`. */
static void tok_ar_sur(const struct pop *p, struct tok *t, int culture, int fam,
                       const struct aname *tab, int list, int conv, struct rng *r)
{
    memset(t, 0, sizeof *t);
    t->sur = 1;
    if (rng_pct(r, sur_tail_pct[culture])) {
        t->fam = (uint8_t)fam;
        t->tail = tail_draw(r, TAIL_SUR_N, TAIL_SUR_Q);
    } else {
        t->a = &tab[list_draw(p, list, r)];
    }
    t->var = tok_pick_var(t, conv, r);
}

static void name_add_ar_sur(const struct pop *p, struct name *nm, int culture, int fam,
                            const struct aname *tab, int list, int conv, struct rng *r)
{
    if (nm->n < MAXTOK)
        tok_ar_sur(p, &nm->t[nm->n++], culture, fam, tab, list, conv, r);
}

/* A given name of Arabic origin, composed (the tail) or from `list`; returns its table index,
 * or ~0u when composed. */
static unsigned name_add_ar_given(const struct pop *p, struct name *nm, int list, int female,
                                  int conv, struct rng *r)
{
    if (nm->n >= MAXTOK)
        return ~0u;
    if (rng_pct(r, TAIL_GIV_PCT)) {
        struct tok *t = &nm->t[nm->n++];
        memset(t, 0, sizeof *t);
        t->fam = (uint8_t)(female ? FAM_AGIV_F : FAM_AGIV_M);
        t->tail = tail_draw(r, TAIL_GIV_N, TAIL_GIV_Q);
        t->var = tok_pick_var(t, conv, r);
        return ~0u;
    }
    unsigned k = list_draw(p, list, r);
    name_add_ar(nm, &ar_given[k], conv, 0, r);
    return k;
}

/* A European surname: composed for the culture's tail share, else from the table. */
static void tok_eu_sur(const struct pop *p, struct tok *t, int culture, struct rng *r)
{
    memset(t, 0, sizeof *t);
    t->sur = 1;
    if (rng_pct(r, sur_tail_pct[culture])) {
        t->fam = (uint8_t)(culture == POP_ITALIAN   ? FAM_IT
                           : culture == POP_SPANISH ? FAM_ES
                                                    : FAM_FR);
        t->tail = tail_draw(r, TAIL_SUR_N, TAIL_SUR_Q);
    } else if (culture == POP_ITALIAN) {
        t->lit = it_s[list_draw(p, L_IT_S, r)];
    } else if (culture == POP_SPANISH) {
        t->lit = es_s[list_draw(p, L_ES_S, r)];
    } else {
        t->lit = fr_s[list_draw(p, L_FR_S, r)];
    }
}

static void name_add_eu_sur(const struct pop *p, struct name *nm, int culture, struct rng *r)
{
    if (nm->n < MAXTOK)
        tok_eu_sur(p, &nm->t[nm->n++], culture, r);
}

/* A European given name: from the rarer table for the tail share, else from the frequency list
 * (*idx its index there, ~0u for a rare name). */
static const char *eu_given(const struct pop *p, int culture, int m, unsigned *idx, struct rng *r)
{
    static const struct {
        const char *const *head, *const *rare;
        unsigned nrare;
        int list;
    } by[3][2] = {
        {{it_f, it_f_rare, NELEM(it_f_rare), L_IT_F}, {it_m, it_m_rare, NELEM(it_m_rare), L_IT_M}},
        {{es_f, es_f_rare, NELEM(es_f_rare), L_ES_F}, {es_m, es_m_rare, NELEM(es_m_rare), L_ES_M}},
        {{fr_f, fr_f_rare, NELEM(fr_f_rare), L_FR_F}, {fr_m, fr_m_rare, NELEM(fr_m_rare), L_FR_M}},
    };
    int c = culture == POP_ITALIAN ? 0 : culture == POP_SPANISH ? 1 : 2;
    if (rng_pct(r, TAIL_GIV_PCT)) {
        *idx = ~0u;
        return by[c][m].rare[rng_below(r, by[c][m].nrare)];
    }
    *idx = list_draw(p, by[c][m].list, r);
    return by[c][m].head[*idx];
}

static void gen_maghreb(const struct pop *p, struct gp *g, struct rng *r)
{
    struct name *nm = &g->name;
    int f = g->gender == 'f';
    int gl = f ? L_AR_F_MAG : L_AR_M_MAG;
    unsigned g1 = name_add_ar_given(p, nm, gl, f, CONV_FR, r);
    if (rng_pct(r, 18)) {
        int g2 = other_draw(p, gl, g1, r);
        if (g2 >= 0)
            name_add_ar(nm, &ar_given[g2], CONV_FR, 0, r);
    }
    if (rng_pct(r, 14)) {
        /* A patronymic surname: "Ben Youssef", "Benyoussef", "Ould Ahmed". */
        name_add_ar(nm, &ar_given[list_draw(p, L_AR_M_MAG, r)], CONV_FR, 1, r);
        struct tok *t = &nm->t[nm->n - 1];
        t->pre = rng_pct(r, 20) ? PRE_OULD : PRE_BEN;
        t->joined = (uint8_t)(t->pre == PRE_BEN && rng_pct(r, 40));
    } else {
        name_add_ar_sur(p, nm, g->culture, FAM_MAG, ar_sur, L_ARS_MAG, CONV_FR, r);
    }
    nm->upper_sur = (uint8_t)rng_pct(r, 35);
    nm->sur_first = (uint8_t)rng_pct(r, 12);
}

static void gen_east(const struct pop *p, struct gp *g, struct rng *r)
{
    struct name *nm = &g->name;
    int f = g->gender == 'f';
    name_add_ar_given(p, nm, f ? L_AR_F_EAS : L_AR_M_EAS, f, CONV_EN, r);
    int father = rng_pct(r, 60);
    if (father) {
        name_add_ar_given(p, nm, L_AR_M_EAS, 0, CONV_EN, r);
        if (rng_pct(r, 20))
            name_add_ar(nm, &ar_given[list_draw(p, L_AR_M_EAS, r)], CONV_EN, 0, r);
    }
    if (!father || rng_pct(r, 85))
        name_add_ar_sur(p, nm, g->culture, FAM_EAS, ar_sur, L_ARS_EAS, CONV_EN, r);
    nm->upper_sur = (uint8_t)rng_pct(r, 15);
    nm->sur_first = (uint8_t)rng_pct(r, 5);
}

static void gen_berber(const struct pop *p, struct gp *g, struct rng *r)
{
    struct name *nm = &g->name;
    int f = g->gender == 'f';
    if (rng_pct(r, 55))
        name_add_ar(nm, &ber_given[list_draw(p, f ? L_BER_F : L_BER_M, r)], CONV_FR, 0, r);
    else
        name_add_ar_given(p, nm, f ? L_AR_F_MAG : L_AR_M_MAG, f, CONV_FR, r);
    if (rng_pct(r, 80))
        name_add_ar_sur(p, nm, g->culture, FAM_BER, ber_sur, L_BERS, CONV_FR, r);
    else
        name_add_ar_sur(p, nm, g->culture, FAM_MAG, ar_sur, L_ARS_MAG, CONV_FR, r);
    nm->upper_sur = (uint8_t)rng_pct(r, 35);
    nm->sur_first = (uint8_t)rng_pct(r, 10);
}

static void gen_europe(const struct pop *p, struct gp *g, struct rng *r)
{
    struct name *nm = &g->name;
    int m = g->gender == 'm';
    unsigned g1;
    const char *s1 = eu_given(p, g->culture, m, &g1, r);
    name_add_lit(nm, s1, 0);
    switch (g->culture) {
    case POP_ITALIAN: {
        if (rng_pct(r, 10)) {
            int g2 = other_draw(p, m ? L_IT_M : L_IT_F, g1, r);
            if (g2 >= 0)
                name_add_lit(nm, m ? it_m[g2] : it_f[g2], 0);
        }
        name_add_eu_sur(p, nm, g->culture, r);
        nm->upper_sur = (uint8_t)rng_pct(r, 30);
        nm->sur_first = (uint8_t)rng_pct(r, 15);
        break;
    }
    case POP_SPANISH: {
        if (rng_pct(r, 22)) {
            unsigned g2 = list_draw(p, m ? L_ES_M2 : L_ES_F2, r);
            const char *s2 = m ? es_m2[g2] : es_f2[g2];
            if (strcmp(s2, s1) != 0)
                name_add_lit(nm, s2, 0);
        }
        name_add_eu_sur(p, nm, g->culture, r);
        if (rng_pct(r, 88))
            name_add_eu_sur(p, nm, g->culture, r);
        nm->upper_sur = (uint8_t)rng_pct(r, 20);
        nm->sur_first = (uint8_t)rng_pct(r, 10);
        break;
    }
    default: {
        if (rng_pct(r, 12)) {
            int g2 = other_draw(p, m ? L_FR_M : L_FR_F, g1, r);
            if (g2 >= 0)
                name_add_lit(nm, m ? fr_m[g2] : fr_f[g2], 0);
        }
        name_add_eu_sur(p, nm, g->culture, r);
        nm->upper_sur = (uint8_t)rng_pct(r, 40);
        nm->sur_first = (uint8_t)rng_pct(r, 15);
        break;
    }
    }
}

/* The alias as another transliteration: some Arabic-origin tokens change spelling. */
static int alias_translit(struct gp *g, struct rng *r)
{
    g->alias = g->name;
    int changed = 0;
    for (int i = 0; i < g->alias.n; i++) {
        struct tok *t = &g->alias.t[i];
        unsigned nv = tok_arabic_origin(t) ? tok_nvar(t) : 0;
        if (nv < 2 || !rng_pct(r, 70))
            continue;
        struct tok alt = *t;
        alt.var = (uint8_t)rng_below(r, nv);
        char was[TOKCAP], now[TOKCAP];
        tok_render(t, 0, 0, was, sizeof was);
        tok_render(&alt, 0, 0, now, sizeof now);
        if (strcmp(was, now) != 0) {
            *t = alt;
            changed = 1;
        }
    }
    g->alias.upper_sur = (uint8_t)rng_pct(r, 30);
    g->alias.arabic = 0;
    return changed;
}

static void gen_alias(const struct pop *p, struct gp *g, struct rng *r)
{
    int c = g->culture, m = g->gender == 'm';
    g->alias.n = 0;
    g->alias_kind = ALIAS_NONE;
    switch (c) {
    case POP_MAGHREB_AR_SCRIPT:
        if (rng_pct(r, 55)) {
            g->alias = g->name;
            g->alias.arabic = 0;
            g->alias.upper_sur = (uint8_t)rng_pct(r, 40);
            g->alias_kind = ALIAS_SCRIPT;
        }
        return;
    case POP_MAGHREB_FR:
    case POP_EGYPT_LEVANT_EN:
    case POP_BERBER: {
        if (!rng_pct(r, c == POP_BERBER ? 30 : 45))
            return;
        unsigned k = rng_below(r, 100);
        if (m && c != POP_BERBER && k < 15) {
            int l = c == POP_EGYPT_LEVANT_EN ? L_AR_M_EAS : L_AR_M_MAG;
            name_add_ar(&g->alias, &ar_given[list_draw(p, l, r)], g->conv, 0, r);
            g->alias.t[0].pre = PRE_ABU;
            g->alias_kind = ALIAS_KUNYA;
        } else if (!m && k < 15) {
            g->alias = g->name;
            for (int i = 0; i < g->alias.n; i++)
                if (g->alias.t[i].sur) {
                    int east = c == POP_EGYPT_LEVANT_EN;
                    tok_ar_sur(p, &g->alias.t[i], c, east ? FAM_EAS : FAM_MAG, ar_sur,
                               east ? L_ARS_EAS : L_ARS_MAG, g->conv, r);
                    break;
                }
            g->alias_kind = ALIAS_MAIDEN;
        } else if (k < 55 && name_has_arabic(&g->name)) {
            g->alias = g->name;
            g->alias.arabic = 1;
            g->alias_kind = ALIAS_SCRIPT;
        } else if (alias_translit(g, r)) {
            g->alias_kind = ALIAS_TRANSLIT;
        } else {
            g->alias.n = 0;
        }
        return;
    }
    case POP_SPANISH:
        if (g->name.n >= 3 && g->name.t[g->name.n - 2].sur && rng_pct(r, 15)) {
            g->alias = g->name;
            g->alias.n--;
            g->alias_kind = ALIAS_SHORT;
        }
        return;
    default:
        /* A married name and the maiden name (France, sometimes Italy). */
        if (!m && rng_pct(r, c == POP_FRENCH ? 25 : 8)) {
            g->alias = g->name;
            tok_eu_sur(p, &g->alias.t[g->alias.n - 1], c, r);
            g->alias_kind = ALIAS_MAIDEN;
        }
        return;
    }
}

static void gen_person(const struct pop *p, uint64_t stream, uint64_t i, struct gp *g)
{
    struct rng r;
    rng_seed(&r, p->seed, stream, i);
    memset(g, 0, sizeof *g);
    g->culture = (int)rng_weighted(&r, culture_w, POP_CULTURES);
    g->gender = rng_pct(&r, g->culture <= POP_EGYPT_LEVANT_EN ? 78 : 70) ? 'm' : 'f';
    g->conv = g->culture == POP_EGYPT_LEVANT_EN ? CONV_EN : CONV_FR;
    switch (g->culture) {
    case POP_MAGHREB_FR:
        gen_maghreb(p, g, &r);
        break;
    case POP_MAGHREB_AR_SCRIPT:
        gen_maghreb(p, g, &r);
        g->name.arabic = 1;
        break;
    case POP_BERBER:
        gen_berber(p, g, &r);
        break;
    case POP_EGYPT_LEVANT_EN:
        gen_east(p, g, &r);
        break;
    default:
        gen_europe(p, g, &r);
        break;
    }
    gen_alias(p, g, &r);

    unsigned dk = rng_below(&r, 100);
    g->dob_kind = dk < 3 ? DOB_NONE : dk < 8 ? DOB_YEAR : DOB_FULL;
    g->y = draw_year(&r);
    /* Civil registers of the Maghreb give many undocumented births 1 January. */
    if (g->culture <= POP_BERBER && g->y < 1975 && rng_pct(&r, 25)) {
        g->m = 1;
        g->d = 1;
    } else {
        g->m = 1 + (int)rng_below(&r, 12);
        g->d = 1 + (int)rng_below(&r, (unsigned)days_in_month(g->y, g->m));
    }
    const char *cc = draw_nat(g->culture, &r);
    memcpy(g->nat, cc, strlen(cc) + 1);
    if (rng_pct(&r, 70))
        passport_fill(g->passport, passport_format(cc[0] ? cc : "ma"), &r);
}

/* Writes i into out as prefix + at least 9 digits. */
static void write_id(char *out, char prefix, uint64_t i)
{
    char d[24];
    int n = 0;
    do {
        d[n++] = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    while (n < 9)
        d[n++] = '0';
    out[0] = prefix;
    for (int k = 0; k < n; k++)
        out[1 + k] = d[n - 1 - k];
    out[1 + n] = '\0';
}

static void write_dob(char *out, int kind, int y, int m, int d)
{
    if (kind == DOB_NONE) {
        out[0] = '\0';
        return;
    }
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    if (kind == DOB_YEAR) {
        out[4] = '\0';
        return;
    }
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

static void gp_write(const struct gp *g, char prefix, uint64_t i, struct pop_person *out)
{
    write_id(out->id, prefix, i);
    name_write(&g->name, out->name, sizeof out->name);
    out->alias[0] = '\0';
    if (g->alias.n)
        name_write(&g->alias, out->alias, sizeof out->alias);
    if (strcmp(out->alias, out->name) == 0)
        out->alias[0] = '\0';
    write_dob(out->birth_date, g->dob_kind, g->y, g->m, g->d);
    memcpy(out->nationality, g->nat, sizeof out->nationality);
    out->gender = g->gender;
    memcpy(out->passport, g->passport, sizeof out->passport);
    out->culture = g->culture;
}

void pop_alert(const struct pop *p, uint64_t i, struct pop_person *out)
{
    struct gp g;
    gen_person(p, STREAM_ALERT, i, &g);
    gp_write(&g, 'g', i, out);
}

void pop_negative(const struct pop *p, uint64_t k, struct pop_person *out)
{
    struct gp g;
    gen_person(p, STREAM_NEG, k, &g);
    gp_write(&g, 'n', k, out);
}

uint64_t pop_query_target(const struct pop *p, uint64_t k, uint64_t n)
{
    if (n == 0)
        return 0;
    struct rng r;
    rng_seed(&r, p->seed, STREAM_TARGET, k);
    return rng_next(&r) % n;
}

const char *pop_culture_name(int culture)
{
    static const char *const names[POP_CULTURES] = {
        "maghreb_fr", "maghreb_ar_script", "berber", "egypt_levant_en",
        "italian",    "spanish",           "french"};
    return culture >= 0 && culture < POP_CULTURES ? names[culture] : "";
}

/* ---------------------------------------------------------------------------------------------
 * Queries: perturbations of a rendered alert.
 */

struct qstate {
    const struct pop *p;
    const struct gp *g;
    struct rng *r;
    struct rname rn;
    int applied;
    int dob_done, passport_done; /* one perturbation per field */
    int alias_used;
    int dob_kind, y, m, d;
    char nat[3];
    char passport[16];
};

static size_t utf8_decode(const char *s, uint32_t *cp, size_t max)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = 0;
    while (*u && n < max) {
        uint32_t c = *u;
        int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
        if (extra)
            c &= 0x3fu >> extra;
        u++;
        for (int k = 0; k < extra && (*u & 0xc0) == 0x80; k++)
            c = (c << 6) | (*u++ & 0x3fu);
        cp[n++] = c;
    }
    return n;
}

/* Encodes cp[0..n) into out (cap bytes); returns 0 when it does not fit. */
static int utf8_encode(const uint32_t *cp, size_t n, char *out, size_t cap)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cp[i];
        unsigned char b[4];
        size_t k;
        if (c < 0x80) {
            b[0] = (unsigned char)c;
            k = 1;
        } else if (c < 0x800) {
            b[0] = (unsigned char)(0xc0 | (c >> 6));
            b[1] = (unsigned char)(0x80 | (c & 0x3f));
            k = 2;
        } else if (c < 0x10000) {
            b[0] = (unsigned char)(0xe0 | (c >> 12));
            b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
            b[2] = (unsigned char)(0x80 | (c & 0x3f));
            k = 3;
        } else {
            b[0] = (unsigned char)(0xf0 | (c >> 18));
            b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
            b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
            b[3] = (unsigned char)(0x80 | (c & 0x3f));
            k = 4;
        }
        if (len + k + 1 > cap)
            return 0;
        memcpy(out + len, b, k);
        len += k;
    }
    out[len] = '\0';
    return 1;
}

static int cp_is_letter(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0x24f) ||
           (c >= 0x621 && c <= 0x64a);
}

static int tok_has_nonascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 1;
    return 0;
}

static void rtok_rerender(struct rtok *t)
{
    tok_render(&t->t, t->arabic, t->upper, t->s, sizeof t->s);
}

static void rname_remove(struct rname *rn, int i)
{
    memmove(&rn->r[i], &rn->r[i + 1], (size_t)(rn->n - i - 1) * sizeof rn->r[0]);
    rn->n--;
}

static int rname_any_touched(const struct rname *rn)
{
    for (int i = 0; i < rn->n; i++)
        if (rn->r[i].dirty || rn->r[i].touched)
            return 1;
    return 0;
}

/* The name used is the alert's alias (not a kunya, which travellers do not carry). */
static int op_alias(struct qstate *q)
{
    if (q->applied || !q->g->alias.n || q->g->alias_kind == ALIAS_KUNYA)
        return 0;
    rname_from(&q->rn, &q->g->alias);
    return 1;
}

/* Latin <-> Arabic script for the whole name. */
static int op_script(struct qstate *q)
{
    struct rname *rn = &q->rn;
    /* After the alias, a script switch could merely undo it (alias = Latin form). */
    if (rname_any_touched(rn) || rn->n == 0 || q->alias_used)
        return 0;
    int all_ar = 1;
    for (int i = 0; i < rn->n; i++) {
        if (!rn->r[i].arabic)
            all_ar = 0;
        if (!tok_has_ar(&rn->r[i].t))
            return 0;
    }
    if (all_ar) {
        /* As on the traveller's passport: French convention, a fresh choice of spelling. */
        int upper = rng_pct(q->r, 30);
        for (int i = 0; i < rn->n; i++) {
            struct rtok *t = &rn->r[i];
            t->arabic = 0;
            t->t.var = tok_pick_var(&t->t, q->g->conv, q->r);
            t->upper = (uint8_t)(upper && t->t.sur);
            rtok_rerender(t);
        }
        return 1;
    }
    /* Arabic script puts the given names first. */
    struct rname out;
    out.n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < rn->n; i++)
            if ((rn->r[i].t.sur != 0) == (pass == 1)) {
                out.r[out.n] = rn->r[i];
                out.r[out.n].arabic = 1;
                out.r[out.n].upper = 0;
                rtok_rerender(&out.r[out.n]);
                out.n++;
            }
    *rn = out;
    return 1;
}

/* Spelling rules for Arabic-origin tokens; a trailing '$' matches at the end of the token only. */
static const char *const translit_rules[][2] = {
    {"ou", "u"}, {"dj", "j"}, {"ch", "sh"}, {"kh", "x"}, {"ss", "s"}, {"ee", "i"},
    {"q", "k"},  {"k", "q"},  {"y", "i"},   {"ou", "w"}, {"a", "e"},  {"i", "e"},
    {"i$", "y"}, {"tt", "t"}, {"rr", "r"},  {"ll", "l"}, {"zz", "z"}, {"dd", "d"},
};

/* Applies one spelling rule to s (case-insensitive, keeping the case); 0 when none matches. */
static int apply_rule(char *s, size_t cap, const char *from, const char *to, int upper)
{
    size_t fl = strlen(from), tl = strlen(to), sl = strlen(s);
    int at_end = fl > 0 && from[fl - 1] == '$';
    fl -= (size_t)at_end;
    for (size_t i = at_end && sl > fl ? sl - fl : 1; i + fl <= sl; i++) {
        size_t k = 0;
        while (k < fl && (s[i + k] | 0x20) == from[k] && (unsigned char)s[i + k] < 0x80)
            k++;
        if (k != fl)
            continue;
        if (sl - fl + tl + 1 > cap)
            return 0;
        char rep[8];
        for (k = 0; k < tl; k++)
            rep[k] = upper ? (char)(to[k] - 32) : to[k];
        memmove(s + i + tl, s + i + fl, sl - i - fl + 1);
        memcpy(s + i, rep, tl);
        return 1;
    }
    return 0;
}

/* Another transliteration of one Arabic-origin token. */
static int op_translit(struct qstate *q)
{
    struct rname *rn = &q->rn;
    if (rn->n == 0)
        return 0;
    int start = (int)rng_below(q->r, (unsigned)rn->n);
    for (int j = 0; j < rn->n; j++) {
        struct rtok *t = &rn->r[(start + j) % rn->n];
        if (!tok_arabic_origin(&t->t) || t->arabic || t->touched)
            continue;
        unsigned nv = tok_nvar(&t->t);
        if (!t->dirty && nv > 1 && rng_pct(q->r, 75)) {
            unsigned v0 = rng_below(q->r, nv);
            for (unsigned k = 0; k < nv; k++) {
                struct rtok alt = *t;
                alt.t.var = (uint8_t)((v0 + k) % nv);
                rtok_rerender(&alt);
                if (strcmp(alt.s, t->s) != 0) {
                    *t = alt;
                    t->touched = 1;
                    return 1;
                }
            }
        }
        unsigned nr = NELEM(translit_rules), r0 = rng_below(q->r, nr);
        for (unsigned k = 0; k < nr; k++) {
            const char *const *rule = translit_rules[(r0 + k) % nr];
            if (apply_rule(t->s, sizeof t->s, rule[0], rule[1], t->upper)) {
                t->dirty = t->touched = 1;
                return 1;
            }
        }
    }
    return 0;
}

/* Keyboard neighbours of a..z, for substitution typos. */
static const char *const kbd[26] = {
    "qwsz",   "vghn",  "xdfv", "serfcx", "wsdr", "drtgvc", "ftyhbv", "gyujnb", "ujko",
    "huikmn", "jiolm", "kop",  "njk",    "bhjm", "iklp",   "ol",     "wa",     "edft",
    "awedxz", "rfgy",  "yhji", "cfgb",   "qase", "zsdc",   "tghu",   "asx"};

static const uint32_t arabic_letters[] = {
    0x627, 0x628, 0x62a, 0x62b, 0x62c, 0x62d, 0x62e, 0x62f, 0x630, 0x631, 0x632, 0x633, 0x634,
    0x635, 0x639, 0x63a, 0x641, 0x642, 0x643, 0x644, 0x645, 0x646, 0x647, 0x648, 0x64a};

static uint32_t typo_sub(uint32_t c, struct rng *r)
{
    if (c >= 0x621 && c <= 0x64a) {
        uint32_t n;
        do
            n = arabic_letters[rng_below(r, NELEM(arabic_letters))];
        while (n == c);
        return n;
    }
    int upper = c >= 'A' && c <= 'Z';
    uint32_t lc = upper ? c + 32 : c;
    uint32_t n;
    if (lc >= 'a' && lc <= 'z') {
        const char *nb = kbd[lc - 'a'];
        n = (uint32_t)nb[rng_below(r, (unsigned)strlen(nb))];
    } else {
        n = 'a' + rng_below(r, 26);
    }
    return upper ? n - 32 : n;
}

/* One character substituted, dropped, doubled or swapped in one token (never the first). */
static int op_typo(struct qstate *q)
{
    struct rname *rn = &q->rn;
    if (rn->n == 0)
        return 0;
    int start = (int)rng_below(q->r, (unsigned)rn->n);
    for (int j = 0; j < rn->n; j++) {
        struct rtok *t = &rn->r[(start + j) % rn->n];
        uint32_t cp[TOKCAP];
        size_t n = utf8_decode(t->s, cp, TOKCAP - 1);
        if (n < 3 || t->touched)
            continue;
        for (int tries = 0; tries < 6; tries++) {
            size_t pos = 1 + rng_below(q->r, (unsigned)(n - 1));
            if (!cp_is_letter(cp[pos]))
                continue;
            unsigned kind = rng_below(q->r, 4);
            if (kind == 1 && n < 4)
                kind = 0;
            if (kind == 3 && (pos + 1 >= n || !cp_is_letter(cp[pos + 1]) || cp[pos] == cp[pos + 1]))
                kind = 0;
            switch (kind) {
            case 0:
                cp[pos] = typo_sub(cp[pos], q->r);
                break;
            case 1:
                memmove(&cp[pos], &cp[pos + 1], (n - pos - 1) * sizeof cp[0]);
                n--;
                break;
            case 2:
                memmove(&cp[pos + 1], &cp[pos], (n - pos) * sizeof cp[0]);
                n++;
                break;
            default: {
                uint32_t c = cp[pos];
                cp[pos] = cp[pos + 1];
                cp[pos + 1] = c;
                break;
            }
            }
            char buf[TOKCAP];
            if (!utf8_encode(cp, n, buf, sizeof buf))
                return 0;
            memcpy(t->s, buf, sizeof buf);
            t->dirty = t->touched = 1;
            return 1;
        }
    }
    return 0;
}

/* Surname first instead of last, or the other way round. */
static int op_order(struct qstate *q)
{
    struct rname *rn = &q->rn;
    if (rn->n < 2)
        return 0;
    int nsur = 0;
    for (int i = 0; i < rn->n; i++)
        nsur += rn->r[i].t.sur != 0;
    struct rname out;
    out.n = 0;
    if (nsur == 0 || nsur == rn->n) {
        out.r[out.n++] = rn->r[rn->n - 1];
        for (int i = 0; i < rn->n - 1; i++)
            out.r[out.n++] = rn->r[i];
    } else {
        int sur_first_now = rn->r[0].t.sur != 0;
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < rn->n; i++) {
                int want_sur = sur_first_now ? pass == 1 : pass == 0;
                if ((rn->r[i].t.sur != 0) == want_sur)
                    out.r[out.n++] = rn->r[i];
            }
    }
    *rn = out;
    return 1;
}

/* A middle given name (or a Spanish second surname) left out. */
static int op_drop_middle(struct qstate *q)
{
    struct rname *rn = &q->rn;
    if (rn->n < 3)
        return 0;
    int first_given = -1, cand = -1, nsur = 0, last_sur = -1;
    for (int i = 0; i < rn->n; i++) {
        if (rn->r[i].t.sur) {
            nsur++;
            last_sur = i;
        } else if (first_given < 0) {
            first_given = i;
        } else if (cand < 0 && !rn->r[i].touched) {
            cand = i;
        }
    }
    if (cand < 0 && nsur >= 2 && q->g->culture == POP_SPANISH && !rn->r[last_sur].touched)
        cand = last_sur;
    if (cand < 0)
        return 0;
    rname_remove(rn, cand);
    return 1;
}

/* A second given name the alert does not have, after the first. */
static int op_add_middle(struct qstate *q)
{
    struct rname *rn = &q->rn;
    if (rn->n >= MAXTOK || rn->n == 0)
        return 0;
    int at = -1;
    for (int i = 0; i < rn->n; i++)
        if (!rn->r[i].t.sur) {
            at = i + 1;
            break;
        }
    if (at < 0)
        at = rn->n;
    struct rtok nt;
    memset(&nt, 0, sizeof nt);
    int m = q->g->gender == 'm';
    switch (q->g->culture) {
    case POP_ITALIAN:
        nt.t.lit = m ? it_m[list_draw(q->p, L_IT_M, q->r)] : it_f[list_draw(q->p, L_IT_F, q->r)];
        break;
    case POP_SPANISH:
        nt.t.lit = m ? es_m[list_draw(q->p, L_ES_M, q->r)] : es_f[list_draw(q->p, L_ES_F, q->r)];
        break;
    case POP_FRENCH:
        nt.t.lit = m ? fr_m[list_draw(q->p, L_FR_M, q->r)] : fr_f[list_draw(q->p, L_FR_F, q->r)];
        break;
    default: {
        /* The father's name, as Arab naming does. */
        int l = q->g->culture == POP_EGYPT_LEVANT_EN ? L_AR_M_EAS : L_AR_M_MAG;
        nt.t.a = &ar_given[list_draw(q->p, l, q->r)];
        nt.t.var = pick_var(nt.t.a, q->g->conv, q->r);
        nt.arabic = rn->r[0].arabic;
        break;
    }
    }
    rtok_rerender(&nt);
    nt.touched = 1;
    for (int i = 0; i < rn->n; i++)
        if (strcmp(rn->r[i].s, nt.s) == 0)
            return 0;
    memmove(&rn->r[at + 1], &rn->r[at], (size_t)(rn->n - at) * sizeof rn->r[0]);
    rn->r[at] = nt;
    rn->n++;
    return 1;
}

/* The article dropped: "El Amrani" -> "Amrani", "العمراني" -> "عمراني". */
static int op_drop_particle(struct qstate *q)
{
    struct rname *rn = &q->rn;
    for (int i = 0; i < rn->n; i++) {
        struct rtok *t = &rn->r[i];
        char *s = t->s;
        size_t l = strlen(s);
        if (t->touched)
            continue;
        if (t->arabic) {
            if (l > 8 && memcmp(s, "\xd8\xa7\xd9\x84", 4) == 0 && s[4] != ' ') {
                memmove(s, s + 4, l - 3);
                t->dirty = t->touched = 1;
                return 1;
            }
            continue;
        }
        if (l > 5 && ((s[0] | 0x20) == 'e' || (s[0] | 0x20) == 'a') && (s[1] | 0x20) == 'l' &&
            (s[2] == ' ' || s[2] == '-') && cp_is_letter((unsigned char)s[3])) {
            memmove(s, s + 3, l - 2);
            if (is_lower_ascii(s[0]))
                s[0] = (char)(s[0] - 32);
            t->dirty = t->touched = 1;
            return 1;
        }
    }
    return 0;
}

/* "Ben Ali" -> "Benali", or "Abdelkader" -> "Abdel Kader"; sets *label. */
static int op_join_split(struct qstate *q, const char **label)
{
    struct rname *rn = &q->rn;
    int start = rn->n ? (int)rng_below(q->r, (unsigned)rn->n) : 0;
    for (int j = 0; j < rn->n; j++) {
        struct rtok *t = &rn->r[(start + j) % rn->n];
        if (t->arabic || t->touched)
            continue;
        char *s = t->s;
        size_t l = strlen(s);
        char *sep = strpbrk(s + 1, " -");
        if (sep && sep[1]) {
            memmove(sep, sep + 1, l - (size_t)(sep - s));
            if (!t->upper && is_upper_ascii(sep[0]))
                sep[0] = (char)(sep[0] + 32);
            t->dirty = t->touched = 1;
            *label = "join_particle";
            return 1;
        }
        if (!tok_arabic_origin(&t->t) || sep)
            continue;
        static const char *const prefixes[] = {"abdel", "abd", "ben", "bou", "ait", "ou", "el"};
        for (size_t k = 0; k < NELEM(prefixes); k++) {
            size_t pl = strlen(prefixes[k]);
            if (l < pl + 3 || l + 2 > sizeof t->s)
                continue;
            size_t c = 0;
            while (c < pl && (s[c] | 0x20) == prefixes[k][c])
                c++;
            if (c != pl || !cp_is_letter((unsigned char)s[pl]))
                continue;
            memmove(s + pl + 1, s + pl, l - pl + 1);
            s[pl] = ' ';
            if (is_lower_ascii(s[pl + 1]))
                s[pl + 1] = (char)(s[pl + 1] - 32);
            t->dirty = t->touched = 1;
            *label = "split_particle";
            return 1;
        }
    }
    return 0;
}

/* Latin-1 letters (UTF-8 C3 80..BF) to their base letters. */
static const char deaccent[64] = "AAAAAAACEEEEIIIIDNOOOOO*OUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";

static void strip_accents(char *s)
{
    char *w = s;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf) {
            *w++ = deaccent[p[1] - 0x80];
            p += 2;
        } else {
            *w++ = (char)*p++;
        }
    }
    *w = '\0';
}

static int op_accents(struct qstate *q)
{
    struct rname *rn = &q->rn;
    int any = 0;
    for (int i = 0; i < rn->n; i++)
        if (!rn->r[i].arabic && tok_has_nonascii(rn->r[i].s)) {
            strip_accents(rn->r[i].s);
            rn->r[i].dirty = 1;
            any = 1;
        }
    return any;
}

static int op_dob_year(struct qstate *q)
{
    if (q->dob_kind == DOB_NONE || q->dob_done++)
        return 0;
    q->y += q->y <= 1940 ? 1 : q->y >= 2008 ? -1 : rng_pct(q->r, 50) ? 1 : -1;
    if (q->d > days_in_month(q->y, q->m))
        q->d = days_in_month(q->y, q->m);
    return 1;
}

static int op_dob_swap(struct qstate *q)
{
    if (q->dob_kind != DOB_FULL || q->d > 12 || q->d == q->m || q->dob_done++)
        return 0;
    int t = q->d;
    q->d = q->m;
    q->m = t;
    return 1;
}

static int op_dob_missing(struct qstate *q)
{
    if (q->dob_kind == DOB_NONE || q->dob_done++)
        return 0;
    q->dob_kind = DOB_NONE;
    return 1;
}

static int op_nat_missing(struct qstate *q)
{
    if (!q->nat[0])
        return 0;
    q->nat[0] = '\0';
    return 1;
}

static int op_no_passport(struct qstate *q)
{
    if (!q->passport[0] || q->passport_done++)
        return 0;
    q->passport[0] = '\0';
    return 1;
}

static int op_passport_ocr(struct qstate *q)
{
    static const char pairs[] = "O00OI11IB88BS55S";
    char *s = q->passport;
    size_t n = strlen(s), cand[16], nc = 0;
    for (size_t i = 0; i < n; i++)
        if (strchr("O0I1B8S5", s[i]))
            cand[nc++] = i;
    if (nc == 0 || q->passport_done++)
        return 0;
    size_t i = cand[rng_below(q->r, (unsigned)nc)];
    for (size_t k = 0; k < sizeof pairs - 1; k += 2)
        if (pairs[k] == s[i]) {
            s[i] = pairs[k + 1];
            break;
        }
    return 1;
}

enum {
    OP_TRANSLIT,
    OP_SCRIPT,
    OP_TYPO,
    OP_ORDER,
    OP_DROP_MIDDLE,
    OP_ADD_MIDDLE,
    OP_DROP_PARTICLE,
    OP_JOIN_SPLIT,
    OP_ACCENTS,
    OP_DOB_YEAR,
    OP_DOB_SWAP,
    OP_DOB_MISSING,
    OP_NAT_MISSING,
    OP_NO_PASSPORT,
    OP_PASSPORT_OCR,
    OP_ALIAS,
    OP_COUNT
};

static const unsigned char op_weight[OP_COUNT] = {16, 6, 14, 7, 6, 4, 5, 5, 7, 6, 4, 4, 4, 5, 5, 3};
static const char *const op_label[OP_COUNT] = {
    "translit",      "script",      "typo",         "order",    "drop_middle", "add_middle",
    "drop_particle", "join_split",  "accents",      "dob_year", "dob_swap",    "dob_missing",
    "nat_missing",   "no_passport", "passport_ocr", "alias"};

static int op_apply(struct qstate *q, int op, const char **label)
{
    *label = op_label[op];
    switch (op) {
    case OP_TRANSLIT:
        return op_translit(q);
    case OP_SCRIPT:
        return op_script(q);
    case OP_TYPO:
        return op_typo(q);
    case OP_ORDER:
        return op_order(q);
    case OP_DROP_MIDDLE:
        return op_drop_middle(q);
    case OP_ADD_MIDDLE:
        return op_add_middle(q);
    case OP_DROP_PARTICLE:
        return op_drop_particle(q);
    case OP_JOIN_SPLIT:
        return op_join_split(q, label);
    case OP_ACCENTS:
        return op_accents(q);
    case OP_DOB_YEAR:
        return op_dob_year(q);
    case OP_DOB_SWAP:
        return op_dob_swap(q);
    case OP_DOB_MISSING:
        return op_dob_missing(q);
    case OP_NAT_MISSING:
        return op_nat_missing(q);
    case OP_NO_PASSPORT:
        return op_no_passport(q);
    case OP_PASSPORT_OCR:
        return op_passport_ocr(q);
    default:
        return op_alias(q);
    }
}

/*
 * Applies op; a change of the name that leaves it as it was ("order" on
 * "Ahmed Ahmed", an alias equal to the name) is undone and does not count.
 */
static int op_try(struct qstate *q, int op, const char **label)
{
    int name_op = op <= OP_ACCENTS || op == OP_ALIAS;
    struct rname save;
    if (name_op)
        save = q->rn;
    if (!op_apply(q, op, label))
        return 0;
    if (name_op) {
        char before[160], after[160];
        rname_join(&save, before, sizeof before);
        rname_join(&q->rn, after, sizeof after);
        if (strcmp(before, after) == 0) {
            q->rn = save;
            return 0;
        }
    }
    if (op == OP_ALIAS)
        q->alias_used = 1;
    return 1;
}

static void label_add(char *what, size_t cap, size_t *len, const char *label)
{
    if (!what || cap == 0)
        return;
    if (*len)
        put(what, cap, len, "+", 1);
    puts0(what, cap, len, label);
}

void pop_query(const struct pop *p, uint64_t k, uint64_t target, struct pop_person *out, char *what,
               size_t what_cap)
{
    struct gp g;
    struct rng r;
    struct qstate q;
    size_t wlen = 0;
    if (what && what_cap)
        what[0] = '\0';
    gen_person(p, STREAM_ALERT, target, &g);
    rng_seed(&r, p->seed, STREAM_QUERY, k);
    memset(&q, 0, sizeof q);
    q.p = p;
    q.g = &g;
    q.r = &r;
    rname_from(&q.rn, &g.name);
    q.dob_kind = g.dob_kind;
    q.y = g.y;
    q.m = g.m;
    q.d = g.d;
    memcpy(q.nat, g.nat, sizeof q.nat);
    memcpy(q.passport, g.passport, sizeof q.passport);

    static const unsigned char nops_w[3] = {45, 35, 20};
    unsigned want = 1 + rng_weighted(&r, nops_w, 3);
    unsigned used = 0;
    const char *label;
    /* Alerts in Arabic script meet travellers whose passports are in Latin script. */
    if (g.culture == POP_MAGHREB_AR_SCRIPT && rng_pct(&r, 75) && op_try(&q, OP_SCRIPT, &label)) {
        used |= 1u << OP_SCRIPT;
        q.applied++;
        label_add(what, what_cap, &wlen, label);
    }
    for (int tries = 0; tries < 64 && (unsigned)q.applied < want; tries++) {
        int op = (int)rng_weighted(&r, op_weight, OP_COUNT);
        if (used & (1u << op))
            continue;
        if (op_try(&q, op, &label)) {
            used |= 1u << op;
            q.applied++;
            label_add(what, what_cap, &wlen, label);
        }
    }
    if (q.applied == 0 && op_try(&q, OP_TYPO, &label)) {
        q.applied++;
        label_add(what, what_cap, &wlen, label);
    }
    /* Many travellers' names come from the MRZ or a capitals-only form: not a perturbation of
     * the name itself, but labelled so that it can be told apart. */
    if (rng_pct(&r, 20)) {
        int latin = 1;
        for (int i = 0; i < q.rn.n; i++)
            latin &= !q.rn.r[i].arabic;
        if (latin) {
            for (int i = 0; i < q.rn.n; i++)
                upper_utf8(q.rn.r[i].s);
            label_add(what, what_cap, &wlen, "upper");
        }
    }

    write_id(out->id, 'q', k);
    rname_join(&q.rn, out->name, sizeof out->name);
    out->alias[0] = '\0';
    write_dob(out->birth_date, q.dob_kind, q.y, q.m, q.d);
    memcpy(out->nationality, q.nat, sizeof out->nationality);
    out->gender = g.gender;
    memcpy(out->passport, q.passport, sizeof out->passport);
    out->culture = g.culture;
}

/* ---------------------------------------------------------------------------------------------
 * FtM JSON.
 */

struct jbuf {
    char *buf;
    size_t cap, len;
    int ok;
};

static void jraw(struct jbuf *j, const char *s, size_t n)
{
    if (!j->ok || j->len + n + 1 > j->cap) {
        j->ok = 0;
        return;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
}

#define JLIT(j, lit) jraw((j), (lit), sizeof(lit) - 1)

static void jstr(struct jbuf *j, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    jraw(j, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        jraw(j, run, (size_t)(s - run));
        char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        if (c == '"' || c == '\\') {
            e[1] = (char)c;
            jraw(j, e, 2);
        } else if (c == '\n') {
            jraw(j, "\\n", 2);
        } else if (c == '\t') {
            jraw(j, "\\t", 2);
        } else {
            jraw(j, e, 6);
        }
        run = s + 1;
    }
    jraw(j, run, (size_t)(s - run));
    jraw(j, "\"", 1);
}

static void jprop(struct jbuf *j, int *first, const char *key, const char *value)
{
    if (!value[0])
        return;
    if (!*first)
        jraw(j, ",", 1);
    *first = 0;
    jstr(j, key);
    jraw(j, ":[", 2);
    jstr(j, value);
    jraw(j, "]", 1);
}

int pop_to_json(const struct pop_person *x, char *buf, size_t cap)
{
    struct jbuf j = {buf, cap, 0, 1};
    int first = 1;
    JLIT(&j, "{\"id\":");
    jstr(&j, x->id);
    JLIT(&j, ",\"schema\":\"Person\",\"properties\":{");
    jprop(&j, &first, "name", x->name);
    jprop(&j, &first, "alias", x->alias);
    jprop(&j, &first, "birthDate", x->birth_date);
    jprop(&j, &first, "nationality", x->nationality);
    jprop(&j, &first, "gender", x->gender == 'f' ? "female" : x->gender == 'm' ? "male" : "");
    jprop(&j, &first, "passportNumber", x->passport);
    JLIT(&j, "}}");
    if (!j.ok) {
        if (cap)
            buf[0] = '\0';
        return -1;
    }
    buf[j.len] = '\0';
    return (int)j.len;
}
