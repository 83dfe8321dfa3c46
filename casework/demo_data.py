"""Synthetic demo data for the ``seed_demo`` command.

Every person built from these tables is invented: names, places and figures are
combined deterministically from common, generic values, and any resemblance to
real persons is purely coincidental.

Name entries are ``(latin, native_script, [alternative latin spellings])``; the
native script is empty where names are normally written in Latin script, and is
the Russian-document Cyrillic form for Central Asia. Alternative spellings are
transliteration variants of the same name (including Russian-document ones).
"""

# Relative weights of nationalities, after public reporting on foreign nationals
# recruited into Russian forces.
NATIONALITY_WEIGHTS = [
    # Africa
    ("KE", 10),
    ("GH", 4),
    ("NG", 4),
    ("CM", 3),
    ("TG", 2),
    ("SL", 2),
    ("SN", 2),
    ("SO", 2),
    ("ZA", 2),
    ("UG", 2),
    ("ZM", 1),
    ("EG", 3),
    # South Asia
    ("IN", 12),
    ("NP", 14),
    ("LK", 6),
    ("BD", 3),
    # Central Asia
    ("TJ", 8),
    ("UZ", 7),
    ("KG", 5),
    ("KZ", 3),
    ("TM", 2),
    # Middle East and Afghanistan
    ("SY", 4),
    ("IQ", 2),
    ("YE", 3),
    ("JO", 2),
    ("AF", 2),
    # Others
    ("CU", 8),
    ("CN", 3),
]

# Packed several entries per line to keep the table short: ruff format must
# leave it as written.
# fmt: off
NAMES = {
    # Africa
    "KE": {
        "given_male": [
            ("John", "", ["Dzhon"]), ("Peter", "", ["Piter"]), ("Joseph", "", ["Josef", "Dzhozef"]),
            ("Brian", "", ["Brayan"]), ("Kevin", "", []), ("Dennis", "", ["Denis"]),
            ("Collins", "", ["Colins"]), ("Samuel", "", ["Samwel"]), ("Evans", "", ["Evance"]),
            ("Juma", "", ["Dzhuma"]), ("Hassan", "", ["Hasan", "Khasan"]), ("Baraka", "", []),
        ],
        "given_female": [
            ("Faith", "", []), ("Mercy", "", ["Mersi"]), ("Akinyi", "", []), ("Wanjiku", "", []),
        ],
        "family": [
            ("Otieno", "", ["Otyeno"]), ("Ochieng", "", ["Ochieng'"]),
            ("Odhiambo", "", ["Odiambo"]), ("Kamau", "", []), ("Mwangi", "", ["Mvangi"]),
            ("Omondi", "", []), ("Onyango", "", ["Onyango'"]), ("Kiprotich", "", []),
            ("Njoroge", "", []), ("Mutua", "", []), ("Wafula", "", []),
            ("Cheruiyot", "", ["Cheruyot"]), ("Kariuki", "", []),
        ],
        "places": [
            ("Nairobi", "Nairobi County"), ("Mombasa", "Mombasa County"),
            ("Kisumu", "Kisumu County"), ("Nakuru", "Nakuru County"),
            ("Eldoret", "Uasin Gishu County"), ("Machakos", "Machakos County"),
            ("Thika", "Kiambu County"),
        ],
        "languages": ["sw", "en"],
    },
    "GH": {
        "given_male": [
            ("Kwame", "", ["Kwami"]), ("Kofi", "", ["Koffi"]),
            ("Kwabena", "", ["Kobina", "Kwabina"]), ("Kwaku", "", ["Kweku"]), ("Yaw", "", ["Yao"]),
            ("Kwasi", "", ["Kwesi"]), ("Kojo", "", ["Kwadwo", "Kodjo"]),
            ("Emmanuel", "", ["Emanuel"]), ("Isaac", "", ["Isaak"]), ("Ebenezer", "", []),
            ("Prince", "", []), ("Samuel", "", []),
        ],
        "given_female": [
            ("Abena", "", []), ("Akosua", "", []), ("Ama", "", []), ("Afua", "", ["Efua"]),
            ("Adwoa", "", ["Adjoa"]),
        ],
        "family": [
            ("Mensah", "", ["Mensa"]), ("Boateng", "", []), ("Owusu", "", []), ("Asante", "", []),
            ("Osei", "", []), ("Agyemang", "", ["Agyeman"]), ("Appiah", "", ["Appia"]),
            ("Addo", "", []), ("Amoah", "", ["Amoa"]), ("Darko", "", []), ("Ofori", "", []),
            ("Acheampong", "", ["Achampong"]),
        ],
        "places": [
            ("Accra", "Greater Accra Region"), ("Kumasi", "Ashanti Region"),
            ("Tamale", "Northern Region"), ("Takoradi", "Western Region"),
            ("Cape Coast", "Central Region"), ("Ho", "Volta Region"), ("Sunyani", "Bono Region"),
        ],
        "languages": ["en", "ak", "ee"],
    },
    "NG": {
        "given_male": [
            ("Chinedu", "", []), ("Emeka", "", []), ("Chukwudi", "", []), ("Oluwaseun", "", []),
            ("Babatunde", "", []), ("Olumide", "", []), ("Segun", "", []),
            ("Ibrahim", "", ["Ibraheem", "Ibragim"]), ("Musa", "", ["Moussa"]),
            ("Abubakar", "", ["Abubakr", "Aboubakar"]), ("Uche", "", []), ("Samuel", "", []),
            ("Daniel", "", []),
        ],
        "given_female": [
            ("Ngozi", "", []), ("Chioma", "", []), ("Aisha", "", ["Aishat", "Ayesha"]),
            ("Funmilayo", "", []), ("Blessing", "", []),
        ],
        "family": [
            ("Okafor", "", []), ("Adeyemi", "", []), ("Okonkwo", "", []), ("Eze", "", ["Ezeh"]),
            ("Bello", "", []), ("Nwosu", "", []), ("Ogunleye", "", []), ("Olawale", "", []),
            ("Adebayo", "", []), ("Okoro", "", []), ("Musa", "", ["Moussa"]),
            ("Abubakar", "", ["Abubakr"]),
        ],
        "places": [
            ("Lagos", "Lagos State"), ("Ibadan", "Oyo State"), ("Kano", "Kano State"),
            ("Enugu", "Enugu State"), ("Port Harcourt", "Rivers State"),
            ("Abuja", "Federal Capital Territory"), ("Benin City", "Edo State"),
            ("Owerri", "Imo State"),
        ],
        "languages": ["en", "yo", "ig", "ha"],
    },
    "CM": {
        "given_male": [
            ("Jean", "", ["Zhan"]), ("Pierre", "", ["Pyer"]), ("Emmanuel", "", ["Emanuel"]),
            ("Joseph", "", ["Josef"]), ("Serge", "", ["Serzh"]), ("Christian", "", ["Kristian"]),
            ("Hervé", "", ["Herve"]), ("Blaise", "", ["Blez"]), ("Thierry", "", ["Tyerri"]),
            ("Paul", "", ["Pol"]), ("Aboubakar", "", ["Aboubacar", "Abubakar"]),
        ],
        "given_female": [
            ("Marie", "", ["Mari"]), ("Christelle", "", ["Kristel"]), ("Brigitte", "", []),
            ("Sandrine", "", []),
        ],
        "family": [
            ("Mbarga", "", []), ("Atangana", "", []), ("Fouda", "", ["Fuda"]),
            ("Essomba", "", ["Esomba"]), ("Ngono", "", []),
            ("Tchakounté", "", ["Tchakounte", "Chakunte"]), ("Kamga", "", []), ("Fotso", "", []),
            ("Djoumessi", "", ["Djoumessy", "Dzhumessi"]), ("Mballa", "", ["Mbala"]),
            ("Nana", "", []), ("Tchinda", "", ["Chinda"]),
        ],
        "places": [
            ("Yaoundé", "Centre Region"), ("Douala", "Littoral Region"),
            ("Bamenda", "Northwest Region"), ("Bafoussam", "West Region"),
            ("Garoua", "North Region"), ("Buea", "Southwest Region"),
            ("Maroua", "Far North Region"),
        ],
        "languages": ["fr", "en"],
    },
    "TG": {
        "given_male": [
            ("Kodjo", "", ["Kojo"]), ("Komlan", "", ["Komla"]), ("Kossi", "", ["Kosi"]),
            ("Koffi", "", ["Kofi"]), ("Yao", "", ["Yawo"]), ("Kokou", "", ["Koku"]),
            ("Kwami", "", ["Kwame"]), ("Edem", "", []), ("Elom", "", []),
            ("Mawuli", "", ["Mawouli"]), ("Ayao", "", ["Ayawo"]),
        ],
        "given_female": [
            ("Akossiwa", "", ["Akosiwa"]), ("Afi", "", ["Afiwa"]), ("Adjoa", "", ["Adjowa"]),
            ("Essi", "", ["Esi"]),
        ],
        "family": [
            ("Amouzou", "", ["Amuzu"]), ("Akakpo", "", []), ("Mensah", "", ["Mensa"]),
            ("Lawson", "", []), ("Kpodar", "", []), ("Sossou", "", ["Sosu"]),
            ("Tchalla", "", ["Challa"]), ("Agbeko", "", []), ("Dogbe", "", ["Dogbé"]),
            ("Adjavon", "", []),
        ],
        "places": [
            ("Lomé", "Maritime Region"), ("Aného", "Maritime Region"),
            ("Sokodé", "Centrale Region"), ("Kara", "Kara Region"), ("Kpalimé", "Plateaux Region"),
            ("Atakpamé", "Plateaux Region"), ("Dapaong", "Savanes Region"),
        ],
        "languages": ["fr", "ee"],
    },
    "SL": {
        "given_male": [
            ("Mohamed", "", ["Mohammed", "Muhammad"]), ("Ibrahim", "", ["Ibrahima", "Ibragim"]),
            ("Abdul", "", ["Abdoul"]), ("Alhaji", "", ["Alhadji"]), ("Sorie", "", ["Sori"]),
            ("Foday", "", ["Fode", "Fodé"]), ("Alusine", "", ["Alhusine"]),
            ("Sheku", "", ["Shekou"]), ("Osman", "", ["Usman"]), ("Abu", "", ["Abou"]),
            ("Joseph", "", []), ("Samuel", "", []),
        ],
        "given_female": [
            ("Fatmata", "", ["Fatimata"]), ("Aminata", "", ["Aminatou"]), ("Isatu", "", ["Isatou"]),
            ("Mariama", "", []),
        ],
        "family": [
            ("Kamara", "", ["Camara"]), ("Sesay", "", ["Sisay"]),
            ("Conteh", "", ["Konteh", "Konte"]), ("Bangura", "", []), ("Kargbo", "", []),
            ("Koroma", "", []), ("Turay", "", ["Touray"]), ("Jalloh", "", ["Jallow", "Diallo"]),
            ("Mansaray", "", []), ("Kanu", "", []), ("Fofanah", "", ["Fofana"]),
            ("Barrie", "", ["Barry"]),
        ],
        "places": [
            ("Freetown", "Western Area"), ("Bo", "Southern Province"),
            ("Kenema", "Eastern Province"), ("Koidu", "Eastern Province"),
            ("Makeni", "Northern Province"), ("Port Loko", "North West Province"),
        ],
        "languages": ["en"],
    },
    "SN": {
        "given_male": [
            ("Mamadou", "", ["Mamadu"]), ("Moussa", "", ["Musa"]),
            ("Ousmane", "", ["Usman", "Osman"]), ("Abdoulaye", "", ["Abdulaye"]),
            ("Cheikh", "", ["Sheikh", "Cheick"]), ("Ibrahima", "", ["Ibrahim"]),
            ("Modou", "", ["Modu"]), ("Pape", "", ["Papa"]), ("Amadou", "", ["Ahmadou"]),
            ("Babacar", "", ["Babakar"]), ("Serigne", "", []), ("Lamine", "", ["Lamin"]),
        ],
        "given_female": [
            ("Fatou", "", ["Fatu"]), ("Aminata", "", []), ("Awa", "", ["Ava"]),
            ("Khady", "", ["Khadi", "Hady"]),
        ],
        "family": [
            ("Diop", "", []), ("Ndiaye", "", ["N'Diaye"]), ("Fall", "", ["Fal"]),
            ("Sow", "", ["Sou"]), ("Diallo", "", []), ("Ba", "", ["Bah"]), ("Gueye", "", ["Guèye"]),
            ("Sarr", "", ["Sar"]), ("Faye", "", ["Fay"]), ("Seck", "", ["Sek"]),
            ("Mbaye", "", ["M'Baye"]), ("Cissé", "", ["Cisse", "Sisse"]),
        ],
        "places": [
            ("Dakar", "Dakar Region"), ("Thiès", "Thiès Region"),
            ("Saint-Louis", "Saint-Louis Region"), ("Kaolack", "Kaolack Region"),
            ("Ziguinchor", "Ziguinchor Region"), ("Touba", "Diourbel Region"),
        ],
        "languages": ["fr", "wo"],
    },
    "SO": {
        "given_male": [
            ("Mohamed", "", ["Maxamed", "Mohammed"]), ("Abdi", "", ["Cabdi"]),
            ("Ahmed", "", ["Axmed"]), ("Hassan", "", ["Xasan", "Hasan"]),
            ("Abdullahi", "", ["Cabdullaahi", "Abdulahi"]), ("Ali", "", ["Cali"]),
            ("Omar", "", ["Cumar"]), ("Yusuf", "", ["Yuusuf"]), ("Ibrahim", "", ["Ibraahim"]),
            ("Abdirahman", "", ["Cabdiraxmaan", "Abdurahman"]), ("Farah", "", ["Faarax"]),
            ("Hussein", "", ["Xuseen", "Husein"]),
        ],
        "given_female": [
            ("Fadumo", "", ["Faadumo"]), ("Hodan", "", []), ("Amina", "", ["Aamina"]),
            ("Sahra", "", ["Sahro"]),
        ],
        "family": [
            ("Warsame", "", ["Warsama"]), ("Farah", "", ["Faarax"]), ("Abdi", "", ["Cabdi"]),
            ("Mohamud", "", ["Maxamuud", "Mahmoud"]), ("Jama", "", ["Jaamac"]),
            ("Osman", "", ["Cismaan"]), ("Egal", "", ["Cigaal"]), ("Nur", "", ["Nuur"]),
            ("Duale", "", ["Ducaale"]), ("Adan", "", ["Aadan", "Aden"]),
            ("Hussein", "", ["Xuseen"]), ("Yusuf", "", ["Yuusuf"]),
        ],
        "places": [
            ("Mogadishu", "Banaadir"), ("Hargeisa", "Woqooyi Galbeed"), ("Kismayo", "Lower Juba"),
            ("Baidoa", "Bay"), ("Bosaso", "Bari"), ("Beledweyne", "Hiran"), ("Garowe", "Nugal"),
        ],
        "languages": ["so", "ar"],
    },
    "ZA": {
        "given_male": [
            ("Sipho", "", []), ("Thabo", "", ["Tabo"]), ("Themba", "", ["Temba"]),
            ("Bongani", "", []), ("Mandla", "", []), ("Sibusiso", "", []),
            ("Tshepo", "", ["Tsepo"]), ("Kagiso", "", []), ("Andile", "", []), ("Lungile", "", []),
            ("Johannes", "", []), ("Pieter", "", ["Piter"]),
        ],
        "given_female": [
            ("Nomvula", "", []), ("Thandeka", "", ["Tandeka"]), ("Zanele", "", []),
            ("Lerato", "", []),
        ],
        "family": [
            ("Dlamini", "", ["Dhlamini"]), ("Nkosi", "", []), ("Ndlovu", "", ["Ndhlovu"]),
            ("Khumalo", "", ["Kumalo"]), ("Mokoena", "", ["Mokwena"]), ("Mahlangu", "", []),
            ("Zulu", "", []), ("Mthembu", "", ["Mtembu"]), ("Sithole", "", ["Sitole"]),
            ("Naidoo", "", ["Naidu"]), ("Botha", "", ["Bota"]), ("Van der Merwe", "", []),
        ],
        "places": [
            ("Johannesburg", "Gauteng"), ("Soweto", "Gauteng"), ("Durban", "KwaZulu-Natal"),
            ("Pietermaritzburg", "KwaZulu-Natal"), ("Cape Town", "Western Cape"),
            ("Gqeberha", "Eastern Cape"), ("Polokwane", "Limpopo"),
        ],
        "languages": ["en", "zu", "xh", "af"],
    },
    "UG": {
        "given_male": [
            ("Moses", "", ["Mozes"]), ("Ivan", "", []), ("Isaac", "", ["Isaak"]),
            ("Ronald", "", []), ("Brian", "", ["Bryan"]), ("Joseph", "", ["Josef"]),
            ("Denis", "", ["Dennis"]), ("Henry", "", []), ("Patrick", "", ["Patrik"]),
            ("Godfrey", "", []), ("Emmanuel", "", ["Emanuel"]),
        ],
        "given_female": [
            ("Sarah", "", ["Sara"]), ("Prossy", "", ["Prossie"]), ("Nakato", "", []),
            ("Namubiru", "", []),
        ],
        "family": [
            ("Mukasa", "", []), ("Ssebunya", "", ["Sebunya"]), ("Kato", "", []),
            ("Okello", "", ["Okelo"]), ("Opio", "", ["Opiyo"]), ("Byaruhanga", "", []),
            ("Tumusiime", "", ["Tumusime"]), ("Nsubuga", "", []), ("Wasswa", "", ["Waswa"]),
            ("Ssali", "", ["Sali"]), ("Mugisha", "", []), ("Kizza", "", ["Kiza"]),
        ],
        "places": [
            ("Kampala", "Central Region"), ("Masaka", "Central Region"),
            ("Gulu", "Northern Region"), ("Jinja", "Eastern Region"), ("Mbale", "Eastern Region"),
            ("Mbarara", "Western Region"),
        ],
        "languages": ["en", "sw", "lg"],
    },
    "ZM": {
        "given_male": [
            ("Chanda", "", []), ("Mulenga", "", []), ("Bwalya", "", []), ("Mwape", "", []),
            ("Kelvin", "", []), ("Moses", "", ["Mozes"]), ("Gift", "", []),
            ("Lazarous", "", ["Lazarus"]), ("Chileshe", "", []), ("Kabwe", "", []),
            ("Mwila", "", []), ("Emmanuel", "", ["Emanuel"]),
        ],
        "given_female": [
            ("Chipo", "", []), ("Mutale", "", []), ("Thandiwe", "", ["Tandiwe"]),
            ("Natasha", "", []),
        ],
        "family": [
            ("Banda", "", []), ("Phiri", "", []), ("Mwale", "", []), ("Tembo", "", []),
            ("Zulu", "", []), ("Lungu", "", []), ("Daka", "", []), ("Sakala", "", []),
            ("Mumba", "", []), ("Ngoma", "", []), ("Mwansa", "", []), ("Chisanga", "", []),
        ],
        "places": [
            ("Lusaka", "Lusaka Province"), ("Ndola", "Copperbelt Province"),
            ("Kitwe", "Copperbelt Province"), ("Kabwe", "Central Province"),
            ("Livingstone", "Southern Province"), ("Chipata", "Eastern Province"),
        ],
        "languages": ["en", "ny"],
    },
    "EG": {
        "given_male": [
            ("Mohamed", "محمد", ["Muhammad", "Mohammed", "Mukhammed"]),
            ("Ahmed", "أحمد", ["Ahmad", "Akhmed"]), ("Mahmoud", "محمود", ["Mahmud", "Makhmud"]),
            ("Mostafa", "مصطفى", ["Mustafa", "Moustafa"]), ("Hassan", "حسن", ["Hasan", "Khasan"]),
            ("Ali", "علي", ["Aly"]), ("Omar", "عمر", ["Umar"]),
            ("Ibrahim", "إبراهيم", ["Ebrahim", "Ibragim"]),
            ("Youssef", "يوسف", ["Yousef", "Yusuf"]), ("Khaled", "خالد", ["Khalid", "Haled"]),
            ("Karim", "كريم", ["Kareem"]), ("Amr", "عمرو", ["Amro"]),
            ("Tarek", "طارق", ["Tariq", "Tarik"]),
        ],
        "given_female": [
            ("Fatma", "فاطمة", ["Fatima", "Fatmah"]), ("Mona", "منى", ["Muna"]),
            ("Nour", "نور", ["Noor", "Nur"]), ("Heba", "هبة", ["Hiba"]),
        ],
        "family": [
            ("Abdel Rahman", "عبد الرحمن", ["Abdelrahman", "Abdurakhman"]),
            ("El-Sayed", "السيد", ["Elsayed", "Al-Sayed"]), ("Hassan", "حسن", ["Hasan", "Khasan"]),
            ("Mahmoud", "محمود", ["Mahmud"]), ("Ibrahim", "إبراهيم", ["Ebrahim"]),
            ("Mostafa", "مصطفى", ["Mustafa"]), ("Abdallah", "عبد الله", ["Abdullah", "Abdalla"]),
            ("Farouk", "فاروق", ["Farouq", "Faruk"]), ("Gamal", "جمال", ["Jamal", "Dzhamal"]),
            ("Shawky", "شوقي", ["Shawki", "Shauki"]), ("Fathy", "فتحي", ["Fathi", "Fatkhi"]),
            ("Ragab", "رجب", ["Rajab"]),
        ],
        "places": [
            ("Cairo", "Cairo Governorate"), ("Giza", "Giza Governorate"),
            ("Alexandria", "Alexandria Governorate"), ("Asyut", "Asyut Governorate"),
            ("Mansoura", "Dakahlia Governorate"), ("Tanta", "Gharbia Governorate"),
            ("Luxor", "Luxor Governorate"),
        ],
        "languages": ["ar"],
    },
    # South Asia
    "IN": {
        "given_male": [
            ("Rahul", "राहुल", ["Raahul"]), ("Amit", "अमित", ["Ameet"]),
            ("Sandeep", "संदीप", ["Sandip"]), ("Vikram", "विक्रम", ["Vickram"]),
            ("Manpreet", "मनप्रीत", ["Manprit"]), ("Gurpreet", "गुरप्रीत", ["Gurprit"]),
            ("Harpreet", "हरप्रीत", ["Harprit"]), ("Ravi", "रवि", []),
            ("Sunil", "सुनील", ["Suneel"]), ("Ajay", "अजय", ["Ajai", "Adzhay"]),
            ("Mohammed", "मोहम्मद", ["Mohd", "Muhammad", "Mokhammed"]),
            ("Arjun", "अर्जुन", ["Arjoon", "Ardzhun"]), ("Deepak", "दीपक", ["Dipak"]),
            ("Vijay", "विजय", ["Vijai", "Vidzhay"]),
        ],
        "given_female": [
            ("Priya", "प्रिया", ["Priyaa"]), ("Pooja", "पूजा", ["Puja"]),
            ("Anjali", "अंजलि", ["Anjalee"]), ("Neha", "नेहा", ["Nekha"]),
        ],
        "family": [
            ("Kumar", "कुमार", ["Koumar", "Kumaar"]), ("Singh", "सिंह", ["Sing", "Singkh"]),
            ("Sharma", "शर्मा", ["Sharmaa"]), ("Yadav", "यादव", ["Yadava"]), ("Patel", "पटेल", []),
            ("Verma", "वर्मा", ["Varma"]), ("Gupta", "गुप्ता", []), ("Khan", "ख़ान", ["Khaan"]),
            ("Reddy", "रेड्डी", ["Reddi"]), ("Nair", "नायर", ["Nayar"]),
            ("Chauhan", "चौहान", ["Chouhan", "Chowhan"]), ("Thakur", "ठाकुर", ["Takur"]),
            ("Mishra", "मिश्रा", ["Misra"]), ("Gill", "गिल", ["Gil"]),
        ],
        "places": [
            ("Amritsar", "Punjab"), ("Jalandhar", "Punjab"), ("Ambala", "Haryana"),
            ("Hyderabad", "Telangana"), ("Thiruvananthapuram", "Kerala"), ("Ahmedabad", "Gujarat"),
            ("Lucknow", "Uttar Pradesh"), ("Kalaburagi", "Karnataka"),
        ],
        "languages": ["hi", "en"],
    },
    "NP": {
        "given_male": [
            ("Ram", "राम", ["Raam"]), ("Krishna", "कृष्ण", ["Krisna", "Krishn"]),
            ("Bikash", "विकास", ["Bikas", "Vikash", "Vikas"]), ("Santosh", "सन्तोष", ["Santos"]),
            ("Suman", "सुमन", []), ("Ramesh", "रमेश", []), ("Dipendra", "दीपेन्द्र", ["Deependra"]),
            ("Sagar", "सागर", ["Saagar"]), ("Prakash", "प्रकाश", ["Prakas"]),
            ("Bishnu", "विष्णु", ["Vishnu", "Bisnu"]), ("Hari", "हरि", []),
            ("Arjun", "अर्जुन", ["Arjoon"]), ("Bibek", "विवेक", ["Vivek", "Bivek"]),
            ("Rajendra", "राजेन्द्र", ["Rajender"]),
        ],
        "given_female": [
            ("Sita", "सीता", ["Seeta"]), ("Gita", "गीता", ["Geeta"]),
            ("Sunita", "सुनिता", ["Suneeta"]), ("Laxmi", "लक्ष्मी", ["Lakshmi", "Laxmee"]),
        ],
        "family": [
            ("Gurung", "गुरुङ", []), ("Magar", "मगर", []), ("Tamang", "तामाङ", []),
            ("Rai", "राई", ["Ray"]), ("Limbu", "लिम्बु", []), ("Thapa", "थापा", ["Tapa"]),
            ("Shrestha", "श्रेष्ठ", ["Shresta", "Srestha"]), ("Bhandari", "भण्डारी", ["Bhandary"]),
            ("Karki", "कार्की", []), ("Khadka", "खड्का", []), ("Adhikari", "अधिकारी", ["Adhikary"]),
            ("Pun", "पुन", []), ("Poudel", "पौडेल", ["Paudel", "Paudyal"]),
            ("Chhetri", "क्षेत्री", ["Chhettri", "Kshetri"]),
        ],
        "places": [
            ("Kathmandu", "Bagmati Province"), ("Pokhara", "Gandaki Province"),
            ("Syangja", "Gandaki Province"), ("Gorkha", "Gandaki Province"),
            ("Butwal", "Lumbini Province"), ("Nepalgunj", "Lumbini Province"),
            ("Rolpa", "Lumbini Province"), ("Dharan", "Koshi Province"),
        ],
        "languages": ["ne"],
    },
    "LK": {
        "given_male": [
            ("Nimal", "නිමල්", []), ("Sunil", "සුනිල්", ["Suneel"]), ("Kamal", "කමල්", []),
            ("Chaminda", "චමින්ද", ["Chamindha"]), ("Ruwan", "රුවන්", ["Ruvan"]),
            ("Pradeep", "ප්‍රදීප්", ["Pradip"]), ("Nuwan", "නුවන්", ["Nuvan"]), ("Dinesh", "දිනේෂ්", []),
            ("Saman", "සමන්", []), ("Kasun", "කසුන්", []), ("Lahiru", "ලහිරු", []),
            ("Suresh", "சுரேஷ்", []),
        ],
        "given_female": [
            ("Kumari", "කුමාරි", []), ("Dilani", "දිලානි", []), ("Nadeesha", "නදීෂා", ["Nadisha"]),
            ("Malini", "මාලිනී", ["Maalini"]),
        ],
        "family": [
            ("Perera", "පෙරේරා", ["Pereira"]), ("Fernando", "ප්‍රනාන්දු", ["Fernandu"]),
            ("Silva", "සිල්වා", ["De Silva"]), ("Jayasuriya", "ජයසූරිය", ["Jayasooriya"]),
            ("Bandara", "බණ්ඩාර", []),
            ("Wickramasinghe", "වික්‍රමසිංහ", ["Wickremesinghe", "Wikramasinghe"]),
            ("Herath", "හේරත්", []), ("Dissanayake", "දිසානායක", ["Dissanayaka", "Disanayake"]),
            ("Gunasekara", "ගුණසේකර", ["Gunasekera"]), ("Ranasinghe", "රණසිංහ", ["Ranasingha"]),
            ("Kumara", "කුමාර", []), ("Sivakumar", "சிவகுமார்", ["Shivakumar"]),
        ],
        "places": [
            ("Colombo", "Western Province"), ("Kandy", "Central Province"),
            ("Galle", "Southern Province"), ("Matara", "Southern Province"),
            ("Kurunegala", "North Western Province"), ("Anuradhapura", "North Central Province"),
            ("Jaffna", "Northern Province"),
        ],
        "languages": ["si", "ta"],
    },
    "BD": {
        "given_male": [
            ("Mohammad", "মোহাম্মদ", ["Mohammed", "Muhammad", "Md"]), ("Abdul", "আব্দুল", []),
            ("Rahim", "রহিম", ["Raheem"]), ("Karim", "করিম", ["Kareem"]),
            ("Rafiq", "রফিক", ["Rafique", "Rafik"]), ("Hasan", "হাসান", ["Hassan"]),
            ("Shahidul", "শহিদুল", ["Shohidul"]), ("Alamgir", "আলমগীর", ["Alamgeer"]),
            ("Sumon", "সুমন", ["Suman"]), ("Rubel", "রুবেল", []), ("Sohel", "সোহেল", ["Shohel"]),
            ("Masud", "মাসুদ", ["Masood", "Masoud"]), ("Kamal", "কামাল", []),
        ],
        "given_female": [
            ("Fatema", "ফাতেমা", ["Fatima"]), ("Nasrin", "নাসরিন", ["Nasreen"]),
            ("Shirin", "শিরিন", ["Shireen"]), ("Rina", "রিনা", ["Reena"]),
        ],
        "family": [
            ("Hossain", "হোসেন", ["Hossen", "Hussain", "Hosen"]),
            ("Rahman", "রহমান", ["Rahaman", "Rakhman"]), ("Islam", "ইসলাম", []),
            ("Ahmed", "আহমেদ", ["Ahmad"]), ("Khan", "খান", ["Khaan"]),
            ("Uddin", "উদ্দিন", ["Uddeen"]), ("Mia", "মিয়া", ["Miah", "Mian"]),
            ("Sarker", "সরকার", ["Sarkar"]), ("Chowdhury", "চৌধুরী", ["Chowdhuri", "Choudhury"]),
            ("Alam", "আলম", ["Alom"]), ("Sheikh", "শেখ", ["Shaikh", "Sk"]),
            ("Talukder", "তালুকদার", ["Talukdar"]),
        ],
        "places": [
            ("Dhaka", "Dhaka Division"), ("Chattogram", "Chattogram Division"),
            ("Cumilla", "Chattogram Division"), ("Noakhali", "Chattogram Division"),
            ("Sylhet", "Sylhet Division"), ("Khulna", "Khulna Division"),
            ("Rajshahi", "Rajshahi Division"), ("Barishal", "Barishal Division"),
        ],
        "languages": ["bn"],
    },
    # Central Asia (native script as written in Russian documents)
    "TJ": {
        "given_male": [
            ("Firdavs", "Фирдавс", ["Firdaus"]), ("Rustam", "Рустам", ["Rustem"]),
            ("Jamshed", "Джамшед", ["Dzhamshed", "Jamshid"]), ("Farrukh", "Фаррух", ["Farukh"]),
            ("Bakhtiyor", "Бахтиёр", ["Bakhtier", "Baxtiyor"]), ("Sukhrob", "Сухроб", ["Suhrob"]),
            ("Umed", "Умед", ["Umid"]), ("Davron", "Даврон", []),
            ("Shahrom", "Шахром", ["Shakhrom"]), ("Mehroj", "Мехродж", ["Mekhrodzh", "Mehrodzh"]),
            ("Dilshod", "Дилшод", ["Dilshad"]), ("Ismoil", "Исмоил", ["Ismail", "Ismoyl"]),
            ("Faridun", "Фаридун", ["Fereydun"]),
        ],
        "given_female": [
            ("Nigina", "Нигина", []), ("Zarina", "Зарина", []), ("Madina", "Мадина", []),
            ("Gulnora", "Гулнора", ["Gulnara"]),
        ],
        "family": [
            ("Rahmonov", "Рахмонов", ["Rakhmonov", "Rachmonov", "Rakhmanov"]),
            ("Karimov", "Каримов", []), ("Nazarov", "Назаров", []),
            ("Saidov", "Саидов", ["Saydov"]), ("Sharipov", "Шарипов", ["Sharifov"]),
            ("Safarov", "Сафаров", []), ("Davlatov", "Давлатов", []),
            ("Odinaev", "Одинаев", ["Odinayev"]), ("Qodirov", "Кодиров", ["Kodirov", "Kadirov"]),
            ("Mirzoev", "Мирзоев", ["Mirzoyev"]), ("Boboev", "Бобоев", ["Boboyev"]),
            ("Rahimzoda", "Рахимзода", ["Rakhimzoda", "Rahimzade"]),
            ("Khudoyorov", "Худоёров", ["Hudoyorov", "Khudoiorov"]),
        ],
        "places": [
            ("Dushanbe", "Dushanbe"), ("Khujand", "Sughd Region"), ("Istaravshan", "Sughd Region"),
            ("Kulob", "Khatlon Region"), ("Bokhtar", "Khatlon Region"),
            ("Vahdat", "Districts of Republican Subordination"),
            ("Khorugh", "Gorno-Badakhshan Autonomous Region"),
        ],
        "languages": ["tg", "ru"],
    },
    "UZ": {
        "given_male": [
            ("Aziz", "Азиз", []), ("Bekzod", "Бекзод", ["Bekzad"]),
            ("Sardor", "Сардор", ["Sardar"]), ("Jasur", "Жасур", ["Zhasur", "Djasur"]),
            ("Otabek", "Отабек", ["Atabek"]), ("Sherzod", "Шерзод", ["Sherzad"]),
            ("Ulugbek", "Улугбек", ["Ulughbek", "Ulug'bek"]), ("Akmal", "Акмал", []),
            ("Doniyor", "Дониёр", ["Doniyer", "Daniyar"]),
            ("Javlon", "Жавлон", ["Zhavlon", "Djavlon"]),
            ("Shokhrukh", "Шохрух", ["Shohruh", "Shakhrukh"]), ("Rustam", "Рустам", ["Rustem"]),
            ("Jahongir", "Жахонгир", ["Jakhongir", "Zhakhongir", "Jahangir"]),
        ],
        "given_female": [
            ("Dilnoza", "Дилноза", []), ("Gulnora", "Гульнора", ["Gulnara"]),
            ("Nilufar", "Нилуфар", ["Nilufer"]), ("Shahnoza", "Шахноза", ["Shakhnoza"]),
        ],
        "family": [
            ("Karimov", "Каримов", []), ("Yusupov", "Юсупов", ["Yusufov", "Iusupov"]),
            ("Rakhimov", "Рахимов", ["Rahimov"]),
            ("Abdullaev", "Абдуллаев", ["Abdullayev", "Abdulaev"]),
            ("Ergashev", "Эргашев", ["Ergashov"]), ("Tursunov", "Турсунов", []),
            ("Mirzaev", "Мирзаев", ["Mirzayev"]), ("Sobirov", "Собиров", ["Sabirov"]),
            ("Kholmatov", "Холматов", ["Holmatov", "Xolmatov"]), ("Nurmatov", "Нурматов", []),
            ("Usmonov", "Усмонов", ["Usmanov"]), ("Toshmatov", "Тошматов", ["Tashmatov"]),
        ],
        "places": [
            ("Tashkent", "Tashkent"), ("Samarkand", "Samarkand Region"),
            ("Andijan", "Andijan Region"), ("Namangan", "Namangan Region"),
            ("Fergana", "Fergana Region"), ("Bukhara", "Bukhara Region"),
            ("Karshi", "Kashkadarya Region"),
        ],
        "languages": ["uz", "ru"],
    },
    "KG": {
        "given_male": [
            ("Nurlan", "Нурлан", []), ("Azamat", "Азамат", []), ("Bakyt", "Бакыт", ["Bakit"]),
            ("Ermek", "Эрмек", ["Yermek"]), ("Talant", "Талант", []),
            ("Kubanychbek", "Кубанычбек", ["Kubanichbek"]), ("Aibek", "Айбек", ["Aybek", "Ajbek"]),
            ("Erlan", "Эрлан", ["Yerlan"]), ("Mirlan", "Мирлан", []), ("Tilek", "Тилек", []),
            ("Almaz", "Алмаз", ["Almas"]), ("Bektur", "Бектур", []),
            ("Chyngyz", "Чынгыз", ["Chingiz", "Chyngys"]),
        ],
        "given_female": [
            ("Aigul", "Айгуль", ["Aygul", "Ajgul"]), ("Aizhan", "Айжан", ["Aijan", "Ayzhan"]),
            ("Gulnara", "Гульнара", ["Gulnora"]), ("Cholpon", "Чолпон", ["Cholpan"]),
        ],
        "family": [
            ("Asanov", "Асанов", []), ("Usenov", "Усенов", []), ("Mamatov", "Маматов", []),
            ("Sadykov", "Садыков", ["Sadikov"]),
            ("Abdyldaev", "Абдылдаев", ["Abdyldayev", "Abdildaev"]),
            ("Toktogulov", "Токтогулов", []), ("Kadyrov", "Кадыров", ["Kadirov", "Qadyrov"]),
            ("Osmonov", "Осмонов", ["Osmanov"]),
            ("Zhumabaev", "Жумабаев", ["Jumabaev", "Zhumabayev"]),
            ("Beishenaliev", "Бейшеналиев", ["Beyshenaliev"]), ("Isakov", "Исаков", []),
            ("Mambetov", "Мамбетов", []),
        ],
        "places": [
            ("Bishkek", "Bishkek"), ("Osh", "Osh Region"), ("Jalal-Abad", "Jalal-Abad Region"),
            ("Karakol", "Issyk-Kul Region"), ("Naryn", "Naryn Region"), ("Tokmok", "Chuy Region"),
        ],
        "languages": ["ky", "ru"],
    },
    "KZ": {
        "given_male": [
            ("Nurlan", "Нурлан", []), ("Yerlan", "Ерлан", ["Erlan"]),
            ("Daniyar", "Данияр", ["Daniiar"]), ("Arman", "Арман", []),
            ("Askar", "Аскар", ["Asqar", "Asker"]), ("Yerzhan", "Ержан", ["Erzhan", "Yerjan"]),
            ("Aidos", "Айдос", ["Aydos"]), ("Bauyrzhan", "Бауыржан", ["Baurzhan", "Bauirzhan"]),
            ("Serik", "Серик", ["Seryk"]), ("Marat", "Марат", []),
            ("Kairat", "Кайрат", ["Qairat", "Kayrat"]), ("Zhandos", "Жандос", ["Jandos"]),
        ],
        "given_female": [
            ("Aigerim", "Айгерим", ["Aygerim"]), ("Dana", "Дана", []), ("Gulnur", "Гульнур", []),
            ("Saule", "Сауле", []),
        ],
        "family": [
            ("Akhmetov", "Ахметов", ["Ahmetov"]), ("Omarov", "Омаров", []),
            ("Suleimenov", "Сулейменов", ["Suleymenov"]),
            ("Kassymov", "Касымов", ["Kasymov", "Kasimov"]), ("Zhakupov", "Жакупов", ["Jakupov"]),
            ("Iskakov", "Искаков", ["Yskakov"]), ("Sarsenbayev", "Сарсенбаев", ["Sarsenbaev"]),
            ("Nurmagambetov", "Нурмагамбетов", ["Nurmaganbetov"]),
            ("Tulegenov", "Тулегенов", ["Tolegenov"]),
            ("Baimukhanov", "Баймуханов", ["Baymukhanov"]), ("Abenov", "Абенов", []),
            ("Bekov", "Беков", []),
        ],
        "places": [
            ("Almaty", "Almaty"), ("Astana", "Astana"), ("Shymkent", "Shymkent"),
            ("Taraz", "Jambyl Region"), ("Karaganda", "Karaganda Region"),
            ("Aktobe", "Aktobe Region"), ("Kyzylorda", "Kyzylorda Region"),
        ],
        "languages": ["kk", "ru"],
    },
    "TM": {
        "given_male": [
            ("Merdan", "Мердан", []), ("Serdar", "Сердар", []), ("Batyr", "Батыр", ["Batir"]),
            ("Dovlet", "Довлет", ["Dowlet"]), ("Myrat", "Мырат", ["Murat", "Myrad"]),
            ("Resul", "Ресул", ["Rasul"]), ("Maksat", "Максат", ["Maqsat"]),
            ("Kerim", "Керим", ["Karim"]), ("Yhlas", "Ыхлас", ["Ikhlas", "Yklas"]),
            ("Arslan", "Арслан", ["Aslan"]), ("Begench", "Бегенч", ["Begenç"]),
            ("Atamyrat", "Атамырат", ["Atamurat"]), ("Shatlyk", "Шатлык", ["Şatlyk"]),
        ],
        "given_female": [
            ("Maya", "Мая", ["Maia"]), ("Jennet", "Дженнет", ["Dzhennet", "Jennat"]),
            ("Aynur", "Айнур", ["Ainur"]), ("Gulshat", "Гульшат", ["Gulşat"]),
        ],
        "family": [
            ("Annayev", "Аннаев", ["Annaev", "Annaýew"]),
            ("Berdiyev", "Бердиев", ["Berdiev", "Berdyev"]), ("Orazov", "Оразов", ["Orazow"]),
            ("Atayev", "Атаев", ["Ataev", "Ataýew"]),
            ("Gurbanov", "Гурбанов", ["Kurbanov", "Gurbanow"]),
            ("Myradov", "Мырадов", ["Muradov", "Myradow"]),
            ("Hojayev", "Ходжаев", ["Khodzhaev", "Hojaýew"]), ("Amanov", "Аманов", ["Amanow"]),
            ("Nurmuhammedov", "Нурмухаммедов", ["Nurmukhammedov"]),
            ("Charyyev", "Чарыев", ["Charyev", "Çaryýew"]),
            ("Durdyyev", "Дурдыев", ["Durdyev", "Durdyýew"]), ("Saparov", "Сапаров", ["Saparow"]),
        ],
        "places": [
            ("Ashgabat", "Ashgabat"), ("Mary", "Mary Region"), ("Türkmenabat", "Lebap Region"),
            ("Dashoguz", "Dashoguz Region"), ("Balkanabat", "Balkan Region"),
            ("Tejen", "Ahal Region"),
        ],
        "languages": ["tk", "ru"],
    },
    # Middle East and Afghanistan
    "SY": {
        "given_male": [
            ("Mohammad", "محمد", ["Muhammad", "Mohamed"]), ("Ahmad", "أحمد", ["Ahmed", "Akhmad"]),
            ("Khaled", "خالد", ["Khalid"]), ("Mahmoud", "محمود", ["Mahmud"]),
            ("Omar", "عمر", ["Umar"]), ("Ali", "علي", ["Aly"]),
            ("Hussein", "حسين", ["Husayn", "Hussain", "Khusein"]),
            ("Bassel", "باسل", ["Basil", "Basel"]), ("Fadi", "فادي", ["Fady"]),
            ("Samer", "سامر", []), ("Rami", "رامي", ["Ramy"]),
            ("Yousef", "يوسف", ["Yusuf", "Yousif"]),
            ("Abdullah", "عبد الله", ["Abdallah", "Abdulla"]),
        ],
        "given_female": [
            ("Fatima", "فاطمة", ["Fatma"]), ("Rania", "رانيا", ["Raniya"]),
            ("Lina", "لينا", ["Leena"]), ("Hala", "هالة", ["Halah"]),
        ],
        "family": [
            ("Al-Ahmad", "الأحمد", ["Alahmad", "al-Akhmad"]),
            ("Al-Hassan", "الحسن", ["Alhassan", "al-Hasan"]), ("Haddad", "حداد", ["Hadad"]),
            ("Khoury", "خوري", ["Khouri", "Khuri"]), ("Al-Ali", "العلي", ["Alali"]),
            ("Darwish", "درويش", ["Darvish"]), ("Hamdan", "حمدان", ["Khamdan"]),
            ("Al-Khatib", "الخطيب", ["Alkhatib", "al-Khateeb"]),
            ("Suleiman", "سليمان", ["Sulaiman", "Sulayman"]), ("Mansour", "منصور", ["Mansur"]),
            ("Kanaan", "كنعان", ["Kanan"]), ("Issa", "عيسى", ["Eissa", "Isa"]),
        ],
        "places": [
            ("Damascus", "Damascus Governorate"), ("Aleppo", "Aleppo Governorate"),
            ("Homs", "Homs Governorate"), ("Hama", "Hama Governorate"),
            ("Latakia", "Latakia Governorate"), ("Tartus", "Tartus Governorate"),
            ("Deir ez-Zor", "Deir ez-Zor Governorate"),
        ],
        "languages": ["ar"],
    },
    "IQ": {
        "given_male": [
            ("Ali", "علي", ["Aly"]), ("Hussein", "حسين", ["Husain", "Hussain"]),
            ("Haider", "حيدر", ["Haidar", "Hayder", "Khaider"]), ("Mustafa", "مصطفى", ["Mostafa"]),
            ("Abbas", "عباس", ["Abas"]), ("Ahmed", "أحمد", ["Ahmad"]),
            ("Mohammed", "محمد", ["Muhammad", "Mohamed"]), ("Karrar", "كرار", ["Karar"]),
            ("Muntadhar", "منتظر", ["Muntazar", "Montather"]), ("Sajjad", "سجاد", ["Sajad"]),
            ("Ammar", "عمار", ["Amar"]), ("Zaid", "زيد", ["Zayd", "Zeid"]),
            ("Qasim", "قاسم", ["Kasim", "Qassem"]),
        ],
        "given_female": [
            ("Zainab", "زينب", ["Zaynab", "Zeinab"]), ("Maryam", "مريم", ["Mariam"]),
            ("Noor", "نور", ["Nur"]), ("Ruqaya", "رقية", ["Ruqayya", "Rukaya"]),
        ],
        "family": [
            ("Al-Jubouri", "الجبوري", ["Al-Juburi", "al-Dzhuburi"]),
            ("Al-Saadi", "الساعدي", ["Al-Saedi"]), ("Al-Tamimi", "التميمي", ["Altamimi"]),
            ("Al-Obaidi", "العبيدي", ["Al-Ubaidi"]), ("Al-Dulaimi", "الدليمي", ["Al-Dulaymi"]),
            ("Al-Shammari", "الشمري", ["Al-Shamari"]), ("Al-Zubaidi", "الزبيدي", ["Al-Zubaydi"]),
            ("Al-Khafaji", "الخفاجي", ["Al-Khafajy"]),
            ("Al-Rubaie", "الربيعي", ["Al-Rubaiy", "Al-Rubaye"]), ("Hassan", "حسن", ["Hasan"]),
            ("Kadhim", "كاظم", ["Kazim", "Kazem"]), ("Jassim", "جاسم", ["Jasim", "Jasem"]),
        ],
        "places": [
            ("Baghdad", "Baghdad Governorate"), ("Basra", "Basra Governorate"),
            ("Mosul", "Nineveh Governorate"), ("Najaf", "Najaf Governorate"),
            ("Karbala", "Karbala Governorate"), ("Nasiriyah", "Dhi Qar Governorate"),
            ("Erbil", "Erbil Governorate"),
        ],
        "languages": ["ar", "ku"],
    },
    "YE": {
        "given_male": [
            ("Mohammed", "محمد", ["Muhammad", "Mohamed"]),
            ("Abdullah", "عبد الله", ["Abdallah", "Abdulla"]), ("Ali", "علي", ["Aly"]),
            ("Ahmed", "أحمد", ["Ahmad"]), ("Saleh", "صالح", ["Salih"]),
            ("Abdulrahman", "عبد الرحمن", ["Abdurrahman", "Abdel Rahman"]),
            ("Nasser", "ناصر", ["Nasir", "Naser"]), ("Fuad", "فؤاد", ["Fouad"]),
            ("Waleed", "وليد", ["Walid", "Valid"]), ("Hamood", "حمود", ["Hamoud", "Hamud"]),
            ("Yahya", "يحيى", ["Yahia", "Yakhya"]),
            ("Abdulkarim", "عبد الكريم", ["Abdelkarim", "Abd al-Karim"]),
        ],
        "given_female": [
            ("Amal", "أمل", []), ("Huda", "هدى", ["Hoda"]), ("Samira", "سميرة", ["Sameera"]),
            ("Afrah", "أفراح", []),
        ],
        "family": [
            ("Saleh", "صالح", ["Salih"]), ("Al-Shami", "الشامي", ["Alshami"]),
            ("Al-Maqtari", "المقطري", ["Al-Maktari"]), ("Al-Hamdani", "الهمداني", ["Alhamdani"]),
            ("Al-Sanani", "الصنعاني", ["Al-San'ani"]), ("Al-Aghbari", "الأغبري", ["Al-Aghbary"]),
            ("Al-Adeni", "العدني", ["Aladeni"]), ("Qaid", "قائد", ["Kaid", "Gaid"]),
            ("Al-Hashidi", "الحاشدي", ["Al-Hashedi"]), ("Al-Absi", "العبسي", ["Alabsi"]),
            ("Al-Sharabi", "الشرعبي", ["Al-Shar'abi"]), ("Nasr", "نصر", ["Nassr"]),
        ],
        "places": [
            ("Sana'a", "Amanat al-Asimah"), ("Aden", "Aden Governorate"),
            ("Taiz", "Taiz Governorate"), ("Hodeidah", "Hodeidah Governorate"),
            ("Ibb", "Ibb Governorate"), ("Mukalla", "Hadramaut Governorate"),
        ],
        "languages": ["ar"],
    },
    "JO": {
        "given_male": [
            ("Mohammad", "محمد", ["Muhammad", "Mohammed"]), ("Ahmad", "أحمد", ["Ahmed"]),
            ("Omar", "عمر", ["Umar"]), ("Khaled", "خالد", ["Khalid"]), ("Yazan", "يزن", ["Yazen"]),
            ("Mahmoud", "محمود", ["Mahmud"]), ("Laith", "ليث", ["Layth", "Leith"]),
            ("Hamza", "حمزة", ["Hamzah"]), ("Tareq", "طارق", ["Tariq", "Tarek"]),
            ("Anas", "أنس", []), ("Odai", "عدي", ["Uday", "Oday"]),
            ("Mohannad", "مهند", ["Muhannad"]), ("Saif", "سيف", ["Sayf", "Seif"]),
        ],
        "given_female": [
            ("Dana", "دانا", []), ("Lana", "لانا", []), ("Rawan", "روان", []),
            ("Sara", "سارة", ["Sarah"]),
        ],
        "family": [
            ("Al-Zoubi", "الزعبي", ["Al-Zu'bi", "Alzoubi"]), ("Al-Masri", "المصري", ["Al-Masry"]),
            ("Haddad", "حداد", ["Hadad"]), ("Al-Momani", "المومني", ["Al-Moumani"]),
            ("Obeidat", "عبيدات", ["Ubeidat"]), ("Rawashdeh", "الرواشدة", ["Al-Rawashdeh"]),
            ("Tarawneh", "الطراونة", ["Al-Tarawneh"]), ("Al-Majali", "المجالي", ["Majali"]),
            ("Bani Hani", "بني هاني", ["Banihani"]), ("Al-Smadi", "الصمادي", ["Al-Samadi"]),
            ("Al-Nsour", "النسور", ["Al-Nusour", "Ensour"]),
            ("Al-Hourani", "الحوراني", ["Al-Horani"]),
        ],
        "places": [
            ("Amman", "Amman Governorate"), ("Zarqa", "Zarqa Governorate"),
            ("Irbid", "Irbid Governorate"), ("Mafraq", "Mafraq Governorate"),
            ("Karak", "Karak Governorate"), ("Aqaba", "Aqaba Governorate"),
        ],
        "languages": ["ar"],
    },
    "AF": {
        "given_male": [
            ("Ahmad", "احمد", ["Ahmed", "Akhmad"]), ("Mohammad", "محمد", ["Muhammad", "Mokhammad"]),
            ("Abdullah", "عبدالله", ["Abdulla"]), ("Mahmood", "محمود", ["Mahmud"]),
            ("Hamid", "حمید", ["Hameed", "Khamid"]), ("Rahim", "رحیم", ["Raheem", "Rakhim"]),
            ("Farid", "فرید", ["Fareed"]), ("Jawad", "جواد", ["Javad"]),
            ("Najib", "نجیب", ["Najeeb"]),
            ("Hekmatullah", "حکمت‌الله", ["Hikmatullah", "Khekmatulla"]),
            ("Zabihullah", "ذبیح‌الله", ["Zabiullah", "Zabikhulla"]),
            ("Sayed", "سید", ["Sayyid", "Said"]), ("Wahid", "وحید", ["Vahid", "Waheed"]),
        ],
        "given_female": [
            ("Fatima", "فاطمه", ["Fatema"]), ("Zahra", "زهرا", ["Zakhra"]),
            ("Maryam", "مریم", ["Mariam"]), ("Shabnam", "شبنم", []),
        ],
        "family": [
            ("Ahmadzai", "احمدزی", ["Ahmadzay"]), ("Stanikzai", "ستانکزی", ["Stanekzai"]),
            ("Safi", "صافی", []), ("Noori", "نوری", ["Nuri"]), ("Rahimi", "رحیمی", ["Rakhimi"]),
            ("Hakimi", "حکیمی", ["Khakimi"]), ("Sultani", "سلطانی", ["Soltani"]),
            ("Amiri", "امیری", []), ("Karimi", "کریمی", ["Kareemi"]),
            ("Haidari", "حیدری", ["Haideri", "Khaidari"]), ("Sadat", "سادات", []),
            ("Mohammadi", "محمدی", ["Muhammadi"]),
        ],
        "places": [
            ("Kabul", "Kabul Province"), ("Herat", "Herat Province"),
            ("Mazar-i-Sharif", "Balkh Province"), ("Kandahar", "Kandahar Province"),
            ("Jalalabad", "Nangarhar Province"), ("Kunduz", "Kunduz Province"),
        ],
        "languages": ["ps", "fa"],
    },
    # Others
    "CU": {
        "given_male": [
            ("Yosvani", "", ["Yosvany", "Yosbani"]), ("Yoel", "", ["Joel"]),
            ("Yunior", "", ["Junior", "Yúnior"]), ("Yordan", "", ["Yordán"]),
            ("Yasmani", "", ["Yasmany"]), ("Osmani", "", ["Osmany"]),
            ("Alexei", "", ["Alexey", "Aleksei"]), ("Yuri", "", ["Yury", "Iuri"]),
            ("Reinier", "", ["Reiner"]), ("Luis", "", ["Luís"]), ("José", "", ["Jose"]),
            ("Jorge", "", ["Khorkhe"]), ("Alejandro", "", ["Alekhandro"]),
            ("Carlos", "", ["Karlos"]),
        ],
        "given_female": [
            ("Yanet", "", ["Yaneth"]), ("Yusleidy", "", ["Yusleydi", "Yusleidis"]),
            ("Mailén", "", ["Mailen"]), ("Yaimara", "", ["Yaymara"]),
        ],
        "family": [
            ("Rodríguez", "", ["Rodriguez", "Rodriges"]),
            ("González", "", ["Gonzalez", "Gonsales"]), ("Pérez", "", ["Perez", "Peres"]),
            ("Hernández", "", ["Hernandez", "Ernandes"]), ("García", "", ["Garcia", "Garsiya"]),
            ("Fernández", "", ["Fernandez", "Fernandes"]), ("López", "", ["Lopez", "Lopes"]),
            ("Díaz", "", ["Diaz", "Dias"]), ("Martínez", "", ["Martinez", "Martines"]),
            ("Sánchez", "", ["Sanchez", "Sanches"]), ("Álvarez", "", ["Alvarez", "Alvares"]),
            ("Ramírez", "", ["Ramirez", "Ramires"]), ("Cruz", "", ["Krus"]),
        ],
        "places": [
            ("Havana", "La Habana"), ("Santiago de Cuba", "Santiago de Cuba"),
            ("Camagüey", "Camagüey"), ("Holguín", "Holguín"), ("Santa Clara", "Villa Clara"),
            ("Matanzas", "Matanzas"), ("Cienfuegos", "Cienfuegos"),
        ],
        "languages": ["es"],
    },
    "CN": {
        "given_male": [
            ("Wei", "伟", ["Vey"]), ("Jun", "军", ["Tszyun", "Chün"]), ("Lei", "磊", ["Ley"]),
            ("Tao", "涛", ["T'ao"]), ("Yong", "勇", ["Yun", "Yung"]),
            ("Jie", "杰", ["Tsze", "Chieh"]), ("Qiang", "强", ["Tsyan", "Ch'iang"]),
            ("Hao", "浩", ["Khao"]), ("Ming", "明", ["Min"]), ("Jian", "建", ["Tszyan", "Chien"]),
            ("Hui", "辉", ["Khuey"]), ("Peng", "鹏", ["Pen", "P'eng"]),
            ("Jianguo", "建国", ["Tszyanguo", "Chien-kuo"]),
            ("Zhiqiang", "志强", ["Chzhitsyan", "Chih-ch'iang"]),
        ],
        "given_female": [
            ("Li", "丽", ["Lee"]), ("Fang", "芳", ["Fan"]), ("Jing", "静", ["Tszin", "Ching"]),
            ("Yan", "燕", ["Yen"]),
        ],
        "family": [
            ("Wang", "王", ["Van", "Wong"]), ("Li", "李", ["Lee"]),
            ("Zhang", "张", ["Chzhan", "Chang"]), ("Liu", "刘", ["Lyu", "Liou"]),
            ("Chen", "陈", ["Chan", "Ch'en"]), ("Yang", "杨", ["Yan"]),
            ("Huang", "黄", ["Khuan", "Wong"]), ("Zhao", "赵", ["Chzhao", "Chao"]),
            ("Wu", "吴", ["Woo", "U"]), ("Zhou", "周", ["Chzhou", "Chou"]),
            ("Xu", "徐", ["Syuy", "Hsu"]), ("Sun", "孙", []), ("Zhu", "朱", ["Chzhu", "Chu"]),
            ("Hu", "胡", ["Khu"]),
        ],
        "places": [
            ("Harbin", "Heilongjiang"), ("Changchun", "Jilin"), ("Shenyang", "Liaoning"),
            ("Beijing", "Beijing"), ("Zhengzhou", "Henan"), ("Chengdu", "Sichuan"),
        ],
        "languages": ["zh"],
    },
}
# fmt: on

# ISO 4217 currency in which a recruiter's promised pay was likely expressed.
CURRENCY_BY_COUNTRY = {
    "KE": "USD",
    "GH": "USD",
    "NG": "USD",
    "CM": "USD",
    "TG": "USD",
    "SL": "USD",
    "SN": "USD",
    "SO": "USD",
    "ZA": "USD",
    "UG": "USD",
    "ZM": "USD",
    "EG": "USD",
    "IN": "USD",
    "NP": "USD",
    "LK": "USD",
    "BD": "USD",
    "TJ": "RUB",
    "UZ": "RUB",
    "KG": "RUB",
    "KZ": "RUB",
    "TM": "RUB",
    "SY": "USD",
    "IQ": "USD",
    "YE": "USD",
    "JO": "USD",
    "AF": "USD",
    "CU": "RUB",
    "CN": "USD",
}

# Front-line and occupied-territory locations in Ukraine.
OCCUPIED_PLACES = [
    ("Avdiivka", "Donetsk Oblast"),
    ("Bakhmut", "Donetsk Oblast"),
    ("Vuhledar", "Donetsk Oblast"),
    ("Toretsk", "Donetsk Oblast"),
    ("Sievierodonetsk", "Luhansk Oblast"),
    ("Kreminna", "Luhansk Oblast"),
    ("Kupiansk", "Kharkiv Oblast"),
    ("Robotyne", "Zaporizhzhia Oblast"),
]

# Ukrainian oblasts where a prisoner-of-war camp might be located.
POW_PLACES = [
    "Lviv Oblast",
    "Kyiv Oblast",
    "Vinnytsia Oblast",
    "Zakarpattia Oblast",
]

# Cities in Russia (recruitment, training, hospitals, residence).
RUSSIA_PLACES = [
    ("Moscow", "Moscow"),
    ("Saint Petersburg", "Saint Petersburg"),
    ("Rostov-on-Don", "Rostov Oblast"),
    ("Belgorod", "Belgorod Oblast"),
    ("Kazan", "Republic of Tatarstan"),
    ("Yekaterinburg", "Sverdlovsk Oblast"),
]
