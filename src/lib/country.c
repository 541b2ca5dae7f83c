/*
 * Country codes and names. The ISO 3166-1 table (alpha-2, alpha-3, English
 * short name, official and alternative names) was generated from Debian's
 * iso-codes package (/usr/share/iso-codes/json/iso_3166-1.json, 2026); the
 * variants and demonyms below were written for limen from the spellings met
 * in watchlists (OFAC SDN remarks) and travel documents. Kosovo uses the
 * user-assigned codes XK / XKX that the EU and ICAO practice use.
 *
 * Lookup by name folds case and drops everything but ASCII letters and
 * digits, so "Korea, North", "KOREA NORTH" and "korea-north" are one key.
 * The name index is built once (pthread_once) and read-only afterwards.
 */
#include "country.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

struct country {
    const char *a2;
    const char *a3;
    const char *name;
};

struct alias {
    const char *name;
    const char *a2;
};

/* Sorted by alpha-2. */
static const struct country countries[] = {
    {"ad", "AND", "Andorra"},
    {"ae", "ARE", "United Arab Emirates"},
    {"af", "AFG", "Afghanistan"},
    {"ag", "ATG", "Antigua and Barbuda"},
    {"ai", "AIA", "Anguilla"},
    {"al", "ALB", "Albania"},
    {"am", "ARM", "Armenia"},
    {"ao", "AGO", "Angola"},
    {"aq", "ATA", "Antarctica"},
    {"ar", "ARG", "Argentina"},
    {"as", "ASM", "American Samoa"},
    {"at", "AUT", "Austria"},
    {"au", "AUS", "Australia"},
    {"aw", "ABW", "Aruba"},
    {"ax", "ALA", "Åland Islands"},
    {"az", "AZE", "Azerbaijan"},
    {"ba", "BIH", "Bosnia and Herzegovina"},
    {"bb", "BRB", "Barbados"},
    {"bd", "BGD", "Bangladesh"},
    {"be", "BEL", "Belgium"},
    {"bf", "BFA", "Burkina Faso"},
    {"bg", "BGR", "Bulgaria"},
    {"bh", "BHR", "Bahrain"},
    {"bi", "BDI", "Burundi"},
    {"bj", "BEN", "Benin"},
    {"bl", "BLM", "Saint Barthélemy"},
    {"bm", "BMU", "Bermuda"},
    {"bn", "BRN", "Brunei Darussalam"},
    {"bo", "BOL", "Bolivia"},
    {"bq", "BES", "Bonaire, Sint Eustatius and Saba"},
    {"br", "BRA", "Brazil"},
    {"bs", "BHS", "Bahamas"},
    {"bt", "BTN", "Bhutan"},
    {"bv", "BVT", "Bouvet Island"},
    {"bw", "BWA", "Botswana"},
    {"by", "BLR", "Belarus"},
    {"bz", "BLZ", "Belize"},
    {"ca", "CAN", "Canada"},
    {"cc", "CCK", "Cocos (Keeling) Islands"},
    {"cd", "COD", "Congo, The Democratic Republic of the"},
    {"cf", "CAF", "Central African Republic"},
    {"cg", "COG", "Congo"},
    {"ch", "CHE", "Switzerland"},
    {"ci", "CIV", "Côte d'Ivoire"},
    {"ck", "COK", "Cook Islands"},
    {"cl", "CHL", "Chile"},
    {"cm", "CMR", "Cameroon"},
    {"cn", "CHN", "China"},
    {"co", "COL", "Colombia"},
    {"cr", "CRI", "Costa Rica"},
    {"cu", "CUB", "Cuba"},
    {"cv", "CPV", "Cabo Verde"},
    {"cw", "CUW", "Curaçao"},
    {"cx", "CXR", "Christmas Island"},
    {"cy", "CYP", "Cyprus"},
    {"cz", "CZE", "Czechia"},
    {"de", "DEU", "Germany"},
    {"dj", "DJI", "Djibouti"},
    {"dk", "DNK", "Denmark"},
    {"dm", "DMA", "Dominica"},
    {"do", "DOM", "Dominican Republic"},
    {"dz", "DZA", "Algeria"},
    {"ec", "ECU", "Ecuador"},
    {"ee", "EST", "Estonia"},
    {"eg", "EGY", "Egypt"},
    {"eh", "ESH", "Western Sahara"},
    {"er", "ERI", "Eritrea"},
    {"es", "ESP", "Spain"},
    {"et", "ETH", "Ethiopia"},
    {"fi", "FIN", "Finland"},
    {"fj", "FJI", "Fiji"},
    {"fk", "FLK", "Falkland Islands (Malvinas)"},
    {"fm", "FSM", "Micronesia, Federated States of"},
    {"fo", "FRO", "Faroe Islands"},
    {"fr", "FRA", "France"},
    {"ga", "GAB", "Gabon"},
    {"gb", "GBR", "United Kingdom"},
    {"gd", "GRD", "Grenada"},
    {"ge", "GEO", "Georgia"},
    {"gf", "GUF", "French Guiana"},
    {"gg", "GGY", "Guernsey"},
    {"gh", "GHA", "Ghana"},
    {"gi", "GIB", "Gibraltar"},
    {"gl", "GRL", "Greenland"},
    {"gm", "GMB", "Gambia"},
    {"gn", "GIN", "Guinea"},
    {"gp", "GLP", "Guadeloupe"},
    {"gq", "GNQ", "Equatorial Guinea"},
    {"gr", "GRC", "Greece"},
    {"gs", "SGS", "South Georgia and the South Sandwich Islands"},
    {"gt", "GTM", "Guatemala"},
    {"gu", "GUM", "Guam"},
    {"gw", "GNB", "Guinea-Bissau"},
    {"gy", "GUY", "Guyana"},
    {"hk", "HKG", "Hong Kong"},
    {"hm", "HMD", "Heard Island and McDonald Islands"},
    {"hn", "HND", "Honduras"},
    {"hr", "HRV", "Croatia"},
    {"ht", "HTI", "Haiti"},
    {"hu", "HUN", "Hungary"},
    {"id", "IDN", "Indonesia"},
    {"ie", "IRL", "Ireland"},
    {"il", "ISR", "Israel"},
    {"im", "IMN", "Isle of Man"},
    {"in", "IND", "India"},
    {"io", "IOT", "British Indian Ocean Territory"},
    {"iq", "IRQ", "Iraq"},
    {"ir", "IRN", "Iran"},
    {"is", "ISL", "Iceland"},
    {"it", "ITA", "Italy"},
    {"je", "JEY", "Jersey"},
    {"jm", "JAM", "Jamaica"},
    {"jo", "JOR", "Jordan"},
    {"jp", "JPN", "Japan"},
    {"ke", "KEN", "Kenya"},
    {"kg", "KGZ", "Kyrgyzstan"},
    {"kh", "KHM", "Cambodia"},
    {"ki", "KIR", "Kiribati"},
    {"km", "COM", "Comoros"},
    {"kn", "KNA", "Saint Kitts and Nevis"},
    {"kp", "PRK", "North Korea"},
    {"kr", "KOR", "South Korea"},
    {"kw", "KWT", "Kuwait"},
    {"ky", "CYM", "Cayman Islands"},
    {"kz", "KAZ", "Kazakhstan"},
    {"la", "LAO", "Laos"},
    {"lb", "LBN", "Lebanon"},
    {"lc", "LCA", "Saint Lucia"},
    {"li", "LIE", "Liechtenstein"},
    {"lk", "LKA", "Sri Lanka"},
    {"lr", "LBR", "Liberia"},
    {"ls", "LSO", "Lesotho"},
    {"lt", "LTU", "Lithuania"},
    {"lu", "LUX", "Luxembourg"},
    {"lv", "LVA", "Latvia"},
    {"ly", "LBY", "Libya"},
    {"ma", "MAR", "Morocco"},
    {"mc", "MCO", "Monaco"},
    {"md", "MDA", "Moldova"},
    {"me", "MNE", "Montenegro"},
    {"mf", "MAF", "Saint Martin (French part)"},
    {"mg", "MDG", "Madagascar"},
    {"mh", "MHL", "Marshall Islands"},
    {"mk", "MKD", "North Macedonia"},
    {"ml", "MLI", "Mali"},
    {"mm", "MMR", "Myanmar"},
    {"mn", "MNG", "Mongolia"},
    {"mo", "MAC", "Macao"},
    {"mp", "MNP", "Northern Mariana Islands"},
    {"mq", "MTQ", "Martinique"},
    {"mr", "MRT", "Mauritania"},
    {"ms", "MSR", "Montserrat"},
    {"mt", "MLT", "Malta"},
    {"mu", "MUS", "Mauritius"},
    {"mv", "MDV", "Maldives"},
    {"mw", "MWI", "Malawi"},
    {"mx", "MEX", "Mexico"},
    {"my", "MYS", "Malaysia"},
    {"mz", "MOZ", "Mozambique"},
    {"na", "NAM", "Namibia"},
    {"nc", "NCL", "New Caledonia"},
    {"ne", "NER", "Niger"},
    {"nf", "NFK", "Norfolk Island"},
    {"ng", "NGA", "Nigeria"},
    {"ni", "NIC", "Nicaragua"},
    {"nl", "NLD", "Netherlands"},
    {"no", "NOR", "Norway"},
    {"np", "NPL", "Nepal"},
    {"nr", "NRU", "Nauru"},
    {"nu", "NIU", "Niue"},
    {"nz", "NZL", "New Zealand"},
    {"om", "OMN", "Oman"},
    {"pa", "PAN", "Panama"},
    {"pe", "PER", "Peru"},
    {"pf", "PYF", "French Polynesia"},
    {"pg", "PNG", "Papua New Guinea"},
    {"ph", "PHL", "Philippines"},
    {"pk", "PAK", "Pakistan"},
    {"pl", "POL", "Poland"},
    {"pm", "SPM", "Saint Pierre and Miquelon"},
    {"pn", "PCN", "Pitcairn"},
    {"pr", "PRI", "Puerto Rico"},
    {"ps", "PSE", "Palestine, State of"},
    {"pt", "PRT", "Portugal"},
    {"pw", "PLW", "Palau"},
    {"py", "PRY", "Paraguay"},
    {"qa", "QAT", "Qatar"},
    {"re", "REU", "Réunion"},
    {"ro", "ROU", "Romania"},
    {"rs", "SRB", "Serbia"},
    {"ru", "RUS", "Russian Federation"},
    {"rw", "RWA", "Rwanda"},
    {"sa", "SAU", "Saudi Arabia"},
    {"sb", "SLB", "Solomon Islands"},
    {"sc", "SYC", "Seychelles"},
    {"sd", "SDN", "Sudan"},
    {"se", "SWE", "Sweden"},
    {"sg", "SGP", "Singapore"},
    {"sh", "SHN", "Saint Helena, Ascension and Tristan da Cunha"},
    {"si", "SVN", "Slovenia"},
    {"sj", "SJM", "Svalbard and Jan Mayen"},
    {"sk", "SVK", "Slovakia"},
    {"sl", "SLE", "Sierra Leone"},
    {"sm", "SMR", "San Marino"},
    {"sn", "SEN", "Senegal"},
    {"so", "SOM", "Somalia"},
    {"sr", "SUR", "Suriname"},
    {"ss", "SSD", "South Sudan"},
    {"st", "STP", "Sao Tome and Principe"},
    {"sv", "SLV", "El Salvador"},
    {"sx", "SXM", "Sint Maarten (Dutch part)"},
    {"sy", "SYR", "Syria"},
    {"sz", "SWZ", "Eswatini"},
    {"tc", "TCA", "Turks and Caicos Islands"},
    {"td", "TCD", "Chad"},
    {"tf", "ATF", "French Southern Territories"},
    {"tg", "TGO", "Togo"},
    {"th", "THA", "Thailand"},
    {"tj", "TJK", "Tajikistan"},
    {"tk", "TKL", "Tokelau"},
    {"tl", "TLS", "Timor-Leste"},
    {"tm", "TKM", "Turkmenistan"},
    {"tn", "TUN", "Tunisia"},
    {"to", "TON", "Tonga"},
    {"tr", "TUR", "Türkiye"},
    {"tt", "TTO", "Trinidad and Tobago"},
    {"tv", "TUV", "Tuvalu"},
    {"tw", "TWN", "Taiwan"},
    {"tz", "TZA", "Tanzania"},
    {"ua", "UKR", "Ukraine"},
    {"ug", "UGA", "Uganda"},
    {"um", "UMI", "United States Minor Outlying Islands"},
    {"us", "USA", "United States"},
    {"uy", "URY", "Uruguay"},
    {"uz", "UZB", "Uzbekistan"},
    {"va", "VAT", "Holy See (Vatican City State)"},
    {"vc", "VCT", "Saint Vincent and the Grenadines"},
    {"ve", "VEN", "Venezuela"},
    {"vg", "VGB", "Virgin Islands, British"},
    {"vi", "VIR", "Virgin Islands, U.S."},
    {"vn", "VNM", "Vietnam"},
    {"vu", "VUT", "Vanuatu"},
    {"wf", "WLF", "Wallis and Futuna"},
    {"ws", "WSM", "Samoa"},
    {"xk", "XKX", "Kosovo"},
    {"ye", "YEM", "Yemen"},
    {"yt", "MYT", "Mayotte"},
    {"za", "ZAF", "South Africa"},
    {"zm", "ZMB", "Zambia"},
    {"zw", "ZWE", "Zimbabwe"},
};

static const struct alias official_names[] = {
    {"Principality of Andorra", "ad"},
    {"Islamic Republic of Afghanistan", "af"},
    {"Republic of Albania", "al"},
    {"Republic of Armenia", "am"},
    {"Republic of Angola", "ao"},
    {"Argentine Republic", "ar"},
    {"Republic of Austria", "at"},
    {"Republic of Azerbaijan", "az"},
    {"Republic of Bosnia and Herzegovina", "ba"},
    {"People's Republic of Bangladesh", "bd"},
    {"Kingdom of Belgium", "be"},
    {"Republic of Bulgaria", "bg"},
    {"Kingdom of Bahrain", "bh"},
    {"Republic of Burundi", "bi"},
    {"Republic of Benin", "bj"},
    {"Bolivia, Plurinational State of", "bo"},
    {"Plurinational State of Bolivia", "bo"},
    {"Federative Republic of Brazil", "br"},
    {"Commonwealth of the Bahamas", "bs"},
    {"Kingdom of Bhutan", "bt"},
    {"Republic of Botswana", "bw"},
    {"Republic of Belarus", "by"},
    {"Republic of the Congo", "cg"},
    {"Swiss Confederation", "ch"},
    {"Republic of Côte d'Ivoire", "ci"},
    {"Republic of Chile", "cl"},
    {"Republic of Cameroon", "cm"},
    {"People's Republic of China", "cn"},
    {"Republic of Colombia", "co"},
    {"Republic of Costa Rica", "cr"},
    {"Republic of Cuba", "cu"},
    {"Republic of Cabo Verde", "cv"},
    {"Republic of Cyprus", "cy"},
    {"Czech Republic", "cz"},
    {"Federal Republic of Germany", "de"},
    {"Republic of Djibouti", "dj"},
    {"Kingdom of Denmark", "dk"},
    {"Commonwealth of Dominica", "dm"},
    {"People's Democratic Republic of Algeria", "dz"},
    {"Republic of Ecuador", "ec"},
    {"Republic of Estonia", "ee"},
    {"Arab Republic of Egypt", "eg"},
    {"the State of Eritrea", "er"},
    {"Kingdom of Spain", "es"},
    {"Federal Democratic Republic of Ethiopia", "et"},
    {"Republic of Finland", "fi"},
    {"Republic of Fiji", "fj"},
    {"Federated States of Micronesia", "fm"},
    {"French Republic", "fr"},
    {"Gabonese Republic", "ga"},
    {"United Kingdom of Great Britain and Northern Ireland", "gb"},
    {"Republic of Ghana", "gh"},
    {"Republic of the Gambia", "gm"},
    {"Republic of Guinea", "gn"},
    {"Republic of Equatorial Guinea", "gq"},
    {"Hellenic Republic", "gr"},
    {"Republic of Guatemala", "gt"},
    {"Republic of Guinea-Bissau", "gw"},
    {"Republic of Guyana", "gy"},
    {"Hong Kong Special Administrative Region of China", "hk"},
    {"Republic of Honduras", "hn"},
    {"Republic of Croatia", "hr"},
    {"Republic of Haiti", "ht"},
    {"Republic of Indonesia", "id"},
    {"State of Israel", "il"},
    {"Republic of India", "in"},
    {"Republic of Iraq", "iq"},
    {"Iran, Islamic Republic of", "ir"},
    {"Islamic Republic of Iran", "ir"},
    {"Republic of Iceland", "is"},
    {"Italian Republic", "it"},
    {"Hashemite Kingdom of Jordan", "jo"},
    {"Republic of Kenya", "ke"},
    {"Kyrgyz Republic", "kg"},
    {"Kingdom of Cambodia", "kh"},
    {"Republic of Kiribati", "ki"},
    {"Union of the Comoros", "km"},
    {"Democratic People's Republic of Korea", "kp"},
    {"Korea, Democratic People's Republic of", "kp"},
    {"Korea, Republic of", "kr"},
    {"State of Kuwait", "kw"},
    {"Republic of Kazakhstan", "kz"},
    {"Lao People's Democratic Republic", "la"},
    {"Lebanese Republic", "lb"},
    {"Principality of Liechtenstein", "li"},
    {"Democratic Socialist Republic of Sri Lanka", "lk"},
    {"Republic of Liberia", "lr"},
    {"Kingdom of Lesotho", "ls"},
    {"Republic of Lithuania", "lt"},
    {"Grand Duchy of Luxembourg", "lu"},
    {"Republic of Latvia", "lv"},
    {"Kingdom of Morocco", "ma"},
    {"Principality of Monaco", "mc"},
    {"Moldova, Republic of", "md"},
    {"Republic of Moldova", "md"},
    {"Republic of Madagascar", "mg"},
    {"Republic of the Marshall Islands", "mh"},
    {"Republic of North Macedonia", "mk"},
    {"Republic of Mali", "ml"},
    {"Republic of Myanmar", "mm"},
    {"Macao Special Administrative Region of China", "mo"},
    {"Commonwealth of the Northern Mariana Islands", "mp"},
    {"Islamic Republic of Mauritania", "mr"},
    {"Republic of Malta", "mt"},
    {"Republic of Mauritius", "mu"},
    {"Republic of Maldives", "mv"},
    {"Republic of Malawi", "mw"},
    {"United Mexican States", "mx"},
    {"Republic of Mozambique", "mz"},
    {"Republic of Namibia", "na"},
    {"Republic of the Niger", "ne"},
    {"Federal Republic of Nigeria", "ng"},
    {"Republic of Nicaragua", "ni"},
    {"Kingdom of the Netherlands", "nl"},
    {"Kingdom of Norway", "no"},
    {"Federal Democratic Republic of Nepal", "np"},
    {"Republic of Nauru", "nr"},
    {"Sultanate of Oman", "om"},
    {"Republic of Panama", "pa"},
    {"Republic of Peru", "pe"},
    {"Independent State of Papua New Guinea", "pg"},
    {"Republic of the Philippines", "ph"},
    {"Islamic Republic of Pakistan", "pk"},
    {"Republic of Poland", "pl"},
    {"the State of Palestine", "ps"},
    {"Portuguese Republic", "pt"},
    {"Republic of Palau", "pw"},
    {"Republic of Paraguay", "py"},
    {"State of Qatar", "qa"},
    {"Republic of Serbia", "rs"},
    {"Rwandese Republic", "rw"},
    {"Kingdom of Saudi Arabia", "sa"},
    {"Republic of Seychelles", "sc"},
    {"Republic of the Sudan", "sd"},
    {"Kingdom of Sweden", "se"},
    {"Republic of Singapore", "sg"},
    {"Republic of Slovenia", "si"},
    {"Slovak Republic", "sk"},
    {"Republic of Sierra Leone", "sl"},
    {"Republic of San Marino", "sm"},
    {"Republic of Senegal", "sn"},
    {"Federal Republic of Somalia", "so"},
    {"Republic of Suriname", "sr"},
    {"Republic of South Sudan", "ss"},
    {"Democratic Republic of Sao Tome and Principe", "st"},
    {"Republic of El Salvador", "sv"},
    {"Syrian Arab Republic", "sy"},
    {"Kingdom of Eswatini", "sz"},
    {"Republic of Chad", "td"},
    {"Togolese Republic", "tg"},
    {"Kingdom of Thailand", "th"},
    {"Republic of Tajikistan", "tj"},
    {"Democratic Republic of Timor-Leste", "tl"},
    {"Republic of Tunisia", "tn"},
    {"Kingdom of Tonga", "to"},
    {"Republic of Türkiye", "tr"},
    {"Republic of Trinidad and Tobago", "tt"},
    {"Taiwan, Province of China", "tw"},
    {"Tanzania, United Republic of", "tz"},
    {"United Republic of Tanzania", "tz"},
    {"Republic of Uganda", "ug"},
    {"United States of America", "us"},
    {"Eastern Republic of Uruguay", "uy"},
    {"Republic of Uzbekistan", "uz"},
    {"Bolivarian Republic of Venezuela", "ve"},
    {"Venezuela, Bolivarian Republic of", "ve"},
    {"British Virgin Islands", "vg"},
    {"Virgin Islands of the United States", "vi"},
    {"Socialist Republic of Viet Nam", "vn"},
    {"Viet Nam", "vn"},
    {"Republic of Vanuatu", "vu"},
    {"Independent State of Samoa", "ws"},
    {"Republic of Yemen", "ye"},
    {"Republic of South Africa", "za"},
    {"Republic of Zambia", "zm"},
    {"Republic of Zimbabwe", "zw"},
};

static const struct alias variants[] = {
    {"America", "us"},
    {"Bahamas, The", "bs"},
    {"Bosnia", "ba"},
    {"Britain", "gb"},
    {"Brunei", "bn"},
    {"Burma", "mm"},
    {"Cabo Verde", "cv"},
    {"Cape Verde", "cv"},
    {"Ceylon", "lk"},
    {"Congo, Democratic Republic of the", "cd"},
    {"Congo, Republic of the", "cg"},
    {"Cote d'Ivoire", "ci"},
    {"Czech Republic", "cz"},
    {"Czechia", "cz"},
    {"DR Congo", "cd"},
    {"DRC", "cd"},
    {"Democratic Republic of the Congo", "cd"},
    {"East Timor", "tl"},
    {"Emirates", "ae"},
    {"England", "gb"},
    {"Gambia, The", "gm"},
    {"Gaza", "ps"},
    {"Gaza Strip", "ps"},
    {"Great Britain", "gb"},
    {"Holland", "nl"},
    {"Holy See", "va"},
    {"Hong Kong", "hk"},
    {"Iran (Islamic Republic of)", "ir"},
    {"Ivory Coast", "ci"},
    {"KSA", "sa"},
    {"Korea, North", "kp"},
    {"Korea, South", "kr"},
    {"Kosovo", "xk"},
    {"Laos", "la"},
    {"Libyan Arab Jamahiriya", "ly"},
    {"Macau", "mo"},
    {"Macedonia", "mk"},
    {"Micronesia", "fm"},
    {"North Macedonia, The Republic of", "mk"},
    {"Northern Ireland", "gb"},
    {"Palestine", "ps"},
    {"Palestinian", "ps"},
    {"Persia", "ir"},
    {"Rhodesia", "zw"},
    {"Russia", "ru"},
    {"Sao Tome", "st"},
    {"Scotland", "gb"},
    {"Serbia and Montenegro", "rs"},
    {"Siam", "th"},
    {"Soviet Union", "ru"},
    {"Swaziland", "sz"},
    {"Syrian Arab Republic", "sy"},
    {"The Gambia", "gm"},
    {"Turkey", "tr"},
    {"Turkiye", "tr"},
    {"UAE", "ae"},
    {"UK", "gb"},
    {"USA", "us"},
    {"United States of America", "us"},
    {"Vatican", "va"},
    {"Vatican City", "va"},
    {"Wales", "gb"},
    {"West Bank", "ps"},
    {"Western Sahara", "eh"},
    {"Yugoslavia", "rs"},
    {"Zaire", "cd"},
};

static const struct alias demonyms[] = {
    {"Afghan", "af"},
    {"Afghani", "af"},
    {"Albanian", "al"},
    {"Algerian", "dz"},
    {"American", "us"},
    {"Angolan", "ao"},
    {"Argentine", "ar"},
    {"Argentinian", "ar"},
    {"Armenian", "am"},
    {"Australian", "au"},
    {"Austrian", "at"},
    {"Azerbaijani", "az"},
    {"Azeri", "az"},
    {"Bahraini", "bh"},
    {"Bangladeshi", "bd"},
    {"Belarusian", "by"},
    {"Belarussian", "by"},
    {"Belgian", "be"},
    {"Beninese", "bj"},
    {"Bolivian", "bo"},
    {"Bosnian", "ba"},
    {"Brazilian", "br"},
    {"British", "gb"},
    {"Bulgarian", "bg"},
    {"Burkinabe", "bf"},
    {"Burmese", "mm"},
    {"Burundian", "bi"},
    {"Cambodian", "kh"},
    {"Cameroonian", "cm"},
    {"Canadian", "ca"},
    {"Chadian", "td"},
    {"Chilean", "cl"},
    {"Chinese", "cn"},
    {"Colombian", "co"},
    {"Congolese", "cd"},
    {"Costa Rican", "cr"},
    {"Croatian", "hr"},
    {"Cuban", "cu"},
    {"Cypriot", "cy"},
    {"Czech", "cz"},
    {"Danish", "dk"},
    {"Djiboutian", "dj"},
    {"Dominican", "do"},
    {"Dutch", "nl"},
    {"Ecuadorian", "ec"},
    {"Egyptian", "eg"},
    {"Emirati", "ae"},
    {"English", "gb"},
    {"Eritrean", "er"},
    {"Estonian", "ee"},
    {"Ethiopian", "et"},
    {"Filipino", "ph"},
    {"Finnish", "fi"},
    {"French", "fr"},
    {"Gambian", "gm"},
    {"Georgian", "ge"},
    {"German", "de"},
    {"Ghanaian", "gh"},
    {"Greek", "gr"},
    {"Guatemalan", "gt"},
    {"Guinean", "gn"},
    {"Haitian", "ht"},
    {"Honduran", "hn"},
    {"Hungarian", "hu"},
    {"Icelandic", "is"},
    {"Indian", "in"},
    {"Indonesian", "id"},
    {"Iranian", "ir"},
    {"Iraqi", "iq"},
    {"Irish", "ie"},
    {"Israeli", "il"},
    {"Italian", "it"},
    {"Ivorian", "ci"},
    {"Japanese", "jp"},
    {"Jordanian", "jo"},
    {"Kazakh", "kz"},
    {"Kazakhstani", "kz"},
    {"Kenyan", "ke"},
    {"Korean", "kr"},
    {"Kosovar", "xk"},
    {"Kuwaiti", "kw"},
    {"Kyrgyz", "kg"},
    {"Latvian", "lv"},
    {"Lebanese", "lb"},
    {"Liberian", "lr"},
    {"Libyan", "ly"},
    {"Lithuanian", "lt"},
    {"Luxembourgish", "lu"},
    {"Macedonian", "mk"},
    {"Malaysian", "my"},
    {"Malian", "ml"},
    {"Maltese", "mt"},
    {"Mauritanian", "mr"},
    {"Mexican", "mx"},
    {"Moldovan", "md"},
    {"Montenegrin", "me"},
    {"Moroccan", "ma"},
    {"Mozambican", "mz"},
    {"Nepalese", "np"},
    {"New Zealander", "nz"},
    {"Nicaraguan", "ni"},
    {"Nigerian", "ng"},
    {"Nigerien", "ne"},
    {"North Korean", "kp"},
    {"Norwegian", "no"},
    {"Omani", "om"},
    {"Pakistani", "pk"},
    {"Palestinian", "ps"},
    {"Panamanian", "pa"},
    {"Paraguayan", "py"},
    {"Peruvian", "pe"},
    {"Philippine", "ph"},
    {"Polish", "pl"},
    {"Portuguese", "pt"},
    {"Qatari", "qa"},
    {"Romanian", "ro"},
    {"Russian", "ru"},
    {"Rwandan", "rw"},
    {"Salvadoran", "sv"},
    {"Saudi", "sa"},
    {"Saudi Arabian", "sa"},
    {"Senegalese", "sn"},
    {"Serbian", "rs"},
    {"Sierra Leonean", "sl"},
    {"Singaporean", "sg"},
    {"Slovak", "sk"},
    {"Slovene", "si"},
    {"Slovenian", "si"},
    {"Somali", "so"},
    {"Somalian", "so"},
    {"South African", "za"},
    {"South Korean", "kr"},
    {"South Sudanese", "ss"},
    {"Spanish", "es"},
    {"Sri Lankan", "lk"},
    {"Sudanese", "sd"},
    {"Swedish", "se"},
    {"Swiss", "ch"},
    {"Syrian", "sy"},
    {"Tajik", "tj"},
    {"Tanzanian", "tz"},
    {"Thai", "th"},
    {"Togolese", "tg"},
    {"Tunisian", "tn"},
    {"Turkish", "tr"},
    {"Turkmen", "tm"},
    {"Ugandan", "ug"},
    {"Ukrainian", "ua"},
    {"Uruguayan", "uy"},
    {"Uzbek", "uz"},
    {"Venezuelan", "ve"},
    {"Vietnamese", "vn"},
    {"Yemeni", "ye"},
    {"Yemenite", "ye"},
    {"Zimbabwean", "zw"},
};

#define N_COUNTRIES (sizeof countries / sizeof countries[0])
#define KEY_MAX 64

struct key_entry {
    char key[KEY_MAX];
    const char *a2;
};

static struct key_entry *keys;
static size_t n_keys;
static pthread_once_t keys_once = PTHREAD_ONCE_INIT;

/* Folds s to lowercase ASCII alphanumerics; returns the key length, or 0 when
 * it does not fit. Latin-1 accented letters in UTF-8 (Côte, Türkiye) are
 * reduced to their base letter for the few that occur in country names. */
static size_t fold_key(const char *s, size_t len, char out[KEY_MAX])
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char o = 0;
        if (c >= 'A' && c <= 'Z')
            o = (char)(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            o = (char)c;
        else if (c == 0xC3 && i + 1 < len) {
            unsigned char d = (unsigned char)s[++i];
            static const char map[] = "aaaaaaaceeeeiiiidnooooo/ouuuuyts"; /* U+00C0..U+00DF */
            unsigned v = (unsigned)(d & 0x1F);
            if (d >= 0x80 && d <= 0xBF) {
                o = map[v];
                if (o == '/')
                    o = 0;
            }
        }
        if (!o)
            continue;
        if (n + 1 >= KEY_MAX)
            return 0;
        out[n++] = o;
    }
    out[n] = '\0';
    return n;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(((const struct key_entry *)a)->key, ((const struct key_entry *)b)->key);
}

static void add_key(const char *name, const char *a2)
{
    char k[KEY_MAX];
    if (!fold_key(name, strlen(name), k))
        return;
    memcpy(keys[n_keys].key, k, KEY_MAX);
    keys[n_keys].a2 = a2;
    n_keys++;
}

static void build_keys(void)
{
    size_t cap = N_COUNTRIES + sizeof official_names / sizeof official_names[0] +
                 sizeof variants / sizeof variants[0] + sizeof demonyms / sizeof demonyms[0];
    keys = calloc(cap, sizeof *keys);
    if (!keys)
        return;
    for (size_t i = 0; i < N_COUNTRIES; i++)
        add_key(countries[i].name, countries[i].a2);
    for (size_t i = 0; i < sizeof official_names / sizeof official_names[0]; i++)
        add_key(official_names[i].name, official_names[i].a2);
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        add_key(variants[i].name, variants[i].a2);
    for (size_t i = 0; i < sizeof demonyms / sizeof demonyms[0]; i++)
        add_key(demonyms[i].name, demonyms[i].a2);
    qsort(keys, n_keys, sizeof *keys, key_cmp);
}

static const struct country *by_a2(const char *a2)
{
    size_t lo = 0, hi = N_COUNTRIES;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(countries[mid].a2, a2);
        if (c == 0)
            return &countries[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Alpha-3 codes as a direct table: 26^3 slots holding index + 1 (MRZ parsing
 * looks two codes up per document; a scan of the table was a third of it). */
static uint16_t *a3_table;
static pthread_once_t a3_once = PTHREAD_ONCE_INIT;

static void build_a3(void)
{
    static uint16_t table[26 * 26 * 26];
    for (size_t i = 0; i < N_COUNTRIES; i++) {
        const char *a = countries[i].a3;
        if (a[0] < 'A' || a[0] > 'Z' || a[1] < 'A' || a[1] > 'Z' || a[2] < 'A' || a[2] > 'Z')
            continue;
        size_t k = (size_t)(a[0] - 'A') * 676 + (size_t)(a[1] - 'A') * 26 + (size_t)(a[2] - 'A');
        if (!table[k])
            table[k] = (uint16_t)(i + 1);
    }
    a3_table = table;
}

const char *limen__country_from_alpha3(const char *s, size_t len)
{
    if (len != 3)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < 3; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'a' && c <= 'z')
            c = (unsigned char)(c - 'a' + 'A');
        if (c < 'A' || c > 'Z')
            return NULL;
        k = k * 26 + (size_t)(c - 'A');
    }
    pthread_once(&a3_once, build_a3);
    return a3_table[k] ? countries[a3_table[k] - 1].a2 : NULL;
}

const char *limen__country_name(const char *alpha2)
{
    if (!alpha2)
        return NULL;
    const struct country *c = by_a2(alpha2);
    return c ? c->name : NULL;
}

const char *limen__country_code(const char *s, size_t len)
{
    if (!s)
        return NULL;
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 2) {
        char lo[3] = {(char)(s[0] | 0x20), (char)(s[1] | 0x20), '\0'};
        if (lo[0] >= 'a' && lo[0] <= 'z' && lo[1] >= 'a' && lo[1] <= 'z') {
            if (lo[0] == 'u' && lo[1] == 'k')
                return "gb";
            const struct country *c = by_a2(lo);
            if (c)
                return c->a2;
        }
    }
    if (len == 3) {
        const char *a2 = limen__country_from_alpha3(s, len);
        if (a2)
            return a2;
    }
    pthread_once(&keys_once, build_keys);
    if (!keys)
        return NULL;
    struct key_entry probe;
    if (!fold_key(s, len, probe.key))
        return NULL;
    const struct key_entry *hit = bsearch(&probe, keys, n_keys, sizeof *keys, key_cmp);
    return hit ? hit->a2 : NULL;
}
